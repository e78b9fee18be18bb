//! Prints how the policy reads each line of standard input: folded words, concepts and the
//! rules that fire (pre-check, or post-check for lines starting with "A: ").
use frontdesk_core::business::Business;
use frontdesk_core::policy::{Msg, Policy};
use std::io::BufRead;

fn main() {
    let business = Business::from_toml(include_str!("../../../demo/demo-business.toml"))
        .expect("demo business");
    let policy = Policy::builtin();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let (reply, text) = match line.strip_prefix("A: ") {
            Some(text) => (true, text.to_owned()),
            None => (false, line.clone()),
        };
        let msg = Msg::new(&text);
        let findings = if reply {
            policy.post_check(&text, Some(&business))
        } else {
            policy.pre_check(&text)
        };
        println!(
            "{text}\n  words: {:?}\n  concepts: {}\n  fired: {:?}\n",
            msg.words,
            msg.concept_names().join(" "),
            findings.ids()
        );
    }
}
