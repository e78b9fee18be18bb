//! The plans on offer, from the operator's TOML file:
//!
//! ```toml
//! [[plan]]
//! id = "starter"
//! name = "Starter"
//! stripe_price = "price_123"
//! conversations_per_month = 500
//! ```

use serde::Deserialize;

/// One plan a business can subscribe to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Our stable id, kept with the subscription.
    pub id: String,
    /// What owners see.
    pub name: String,
    /// The Stripe price the subscription is for (`price_…`).
    pub stripe_price: String,
    /// Conversations a month the plan includes; none means unlimited.
    #[serde(default)]
    pub conversations_per_month: Option<u32>,
}

/// Every plan on offer, in the file's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plans(Vec<Plan>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlansFile {
    plan: Vec<Plan>,
}

/// Why a plans file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PlansError {
    #[error("the plans file is not valid: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the plans file lists no plan")]
    Empty,
    #[error("plan {0:?} is listed twice")]
    DuplicateId(String),
    #[error("plan {0:?} has an empty id, name or stripe_price")]
    Blank(String),
    #[error("plan {plan:?}: stripe_price {price:?} is not a Stripe price id (price_…)")]
    NotAPrice { plan: String, price: String },
}

impl Plans {
    /// Parses and checks a plans file.
    pub fn from_toml(text: &str) -> Result<Self, PlansError> {
        let file: PlansFile = toml::from_str(text)?;
        if file.plan.is_empty() {
            return Err(PlansError::Empty);
        }
        for (index, plan) in file.plan.iter().enumerate() {
            if [&plan.id, &plan.name, &plan.stripe_price]
                .iter()
                .any(|field| field.trim().is_empty())
            {
                return Err(PlansError::Blank(plan.id.clone()));
            }
            if !plan.stripe_price.starts_with("price_") {
                return Err(PlansError::NotAPrice {
                    plan: plan.id.clone(),
                    price: plan.stripe_price.clone(),
                });
            }
            if file.plan[..index].iter().any(|p| p.id == plan.id) {
                return Err(PlansError::DuplicateId(plan.id.clone()));
            }
        }
        Ok(Self(file.plan))
    }

    /// Every plan, in the file's order.
    pub fn all(&self) -> &[Plan] {
        &self.0
    }

    /// The plan with this id.
    pub fn get(&self, id: &str) -> Option<&Plan> {
        self.0.iter().find(|plan| plan.id == id)
    }

    /// The plan of a Stripe price, to name the plan a subscription is on.
    pub fn by_price(&self, price: &str) -> Option<&Plan> {
        self.0.iter().find(|plan| plan.stripe_price == price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[plan]]
id = "starter"
name = "Starter"
stripe_price = "price_starter"
conversations_per_month = 500

[[plan]]
id = "pro"
name = "Pro"
stripe_price = "price_pro"
"#;

    #[test]
    fn plans_are_read_with_their_limits() {
        let plans = Plans::from_toml(FILE).unwrap();
        assert_eq!(plans.all().len(), 2);
        assert_eq!(
            plans.get("starter").unwrap().conversations_per_month,
            Some(500)
        );
        assert_eq!(plans.get("pro").unwrap().conversations_per_month, None);
        assert_eq!(plans.by_price("price_pro").unwrap().id, "pro");
        assert!(plans.get("gold").is_none());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        assert!(matches!(
            Plans::from_toml("plan = []"),
            Err(PlansError::Empty)
        ));
        let twice = format!(
            "{FILE}\n[[plan]]\nid = \"pro\"\nname = \"Again\"\nstripe_price = \"price_x\"\n"
        );
        assert!(
            matches!(Plans::from_toml(&twice), Err(PlansError::DuplicateId(id)) if id == "pro")
        );
        let product = "[[plan]]\nid = \"a\"\nname = \"A\"\nstripe_price = \"prod_1\"\n";
        assert!(matches!(
            Plans::from_toml(product),
            Err(PlansError::NotAPrice { .. })
        ));
        let typo =
            "[[plan]]\nid = \"a\"\nname = \"A\"\nstripe_price = \"price_1\"\nconversations = 3\n";
        assert!(matches!(Plans::from_toml(typo), Err(PlansError::Syntax(_))));
    }
}
