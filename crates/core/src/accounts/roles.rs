//! Team roles and what each may do: the permission matrix of `docs/roles.md`, in one place.
//!
//! Every dashboard page and endpoint asks [`Role::allows`] before acting, so the matrix is
//! enforced on the server whatever the browser shows. The matrix is cumulative: an Admin
//! can do everything a Viewer can, an Owner everything an Admin can.

use std::fmt;
use std::str::FromStr;

/// A team member's role in one business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Reads conversations, leads and appointments.
    Viewer,
    /// Also edits the business's knowledge and settings and exports data.
    Admin,
    /// Also manages the team, billing and the Danger Zone. A business always has one.
    Owner,
}

/// Something a signed-in team member may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The dashboard home, conversation lists and transcripts.
    ViewConversations,
    /// The leads and appointments lists.
    ViewLeads,
    /// Cancelling an appointment or marking a no-show.
    ManageAppointments,
    /// Their own password, second factor and sessions.
    ManageOwnAccount,
    /// Business profile, hours, closures, services, insurance and FAQs.
    EditKnowledge,
    /// Integrations, model and other business settings.
    EditSettings,
    /// CSV exports of leads, conversations and the audit log.
    ExportData,
    /// Reading the audit log.
    ViewAuditLog,
    /// Data-subject requests: finding, exporting and deleting one visitor's data.
    HandleDataRequests,
    /// Inviting, removing and changing the role of team members.
    ManageTeam,
    /// Plans, payment and invoices.
    ManageBilling,
    /// Closing the account and deleting the business's data.
    DangerZone,
}

impl Permission {
    /// Every permission, for the matrix in tests and docs.
    pub const ALL: [Permission; 12] = [
        Permission::ViewConversations,
        Permission::ViewLeads,
        Permission::ManageAppointments,
        Permission::ManageOwnAccount,
        Permission::EditKnowledge,
        Permission::EditSettings,
        Permission::ExportData,
        Permission::ViewAuditLog,
        Permission::HandleDataRequests,
        Permission::ManageTeam,
        Permission::ManageBilling,
        Permission::DangerZone,
    ];

    /// The least role that holds this permission.
    pub fn least_role(self) -> Role {
        match self {
            Permission::ViewConversations
            | Permission::ViewLeads
            | Permission::ManageOwnAccount => Role::Viewer,
            Permission::EditKnowledge
            | Permission::ManageAppointments
            | Permission::EditSettings
            | Permission::ExportData
            | Permission::ViewAuditLog
            | Permission::HandleDataRequests => Role::Admin,
            Permission::ManageTeam | Permission::ManageBilling | Permission::DangerZone => {
                Role::Owner
            }
        }
    }
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Admin, Role::Owner];

    /// Whether this role may do `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        self >= permission.least_role()
    }

    /// The stable id, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Admin => "Admin",
            Role::Owner => "Owner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A role id that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: expected owner, admin or viewer")]
pub struct UnknownRole(String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "admin" => Ok(Role::Admin),
            "owner" => Ok(Role::Owner),
            _ => Err(UnknownRole(raw.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix of docs/roles.md, written out cell by cell so a change to the code that
    /// is not a change to the document fails here.
    const MATRIX: [(Permission, [bool; 3]); 12] = [
        //                                   Viewer Admin Owner
        (Permission::ViewConversations, [true, true, true]),
        (Permission::ViewLeads, [true, true, true]),
        (Permission::ManageAppointments, [false, true, true]),
        (Permission::ManageOwnAccount, [true, true, true]),
        (Permission::EditKnowledge, [false, true, true]),
        (Permission::EditSettings, [false, true, true]),
        (Permission::ExportData, [false, true, true]),
        (Permission::ViewAuditLog, [false, true, true]),
        (Permission::HandleDataRequests, [false, true, true]),
        (Permission::ManageTeam, [false, false, true]),
        (Permission::ManageBilling, [false, false, true]),
        (Permission::DangerZone, [false, false, true]),
    ];

    #[test]
    fn every_role_and_permission_matches_the_documented_matrix() {
        for (permission, expected) in MATRIX {
            for (role, allowed) in Role::ALL.into_iter().zip(expected) {
                assert_eq!(
                    role.allows(permission),
                    allowed,
                    "{role} × {permission:?} should be {allowed}"
                );
            }
        }
        assert_eq!(MATRIX.len(), Permission::ALL.len());
        for permission in Permission::ALL {
            assert!(MATRIX.iter().any(|(p, _)| *p == permission));
        }
    }

    #[test]
    fn the_document_lists_every_permission_with_the_same_cells() {
        let doc = include_str!("../../../../docs/roles.md");
        for (permission, expected) in MATRIX {
            let name = format!("`{permission:?}`");
            let line = doc
                .lines()
                .find(|line| line.contains(&name))
                .unwrap_or_else(|| panic!("docs/roles.md has no row for {name}"));
            let cells: Vec<bool> = line
                .split('|')
                .map(str::trim)
                .filter(|cell| *cell == "✓" || *cell == "—")
                .map(|cell| cell == "✓")
                .collect();
            assert_eq!(cells, expected, "docs/roles.md row {name}");
        }
    }

    #[test]
    fn roles_round_trip_through_their_ids() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Admin ".parse::<Role>(), Ok(Role::Admin));
        assert!("superuser".parse::<Role>().is_err());
    }
}
