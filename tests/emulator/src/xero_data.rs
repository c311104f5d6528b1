//! The Xero organisation behind each registered Xero app: what a sync brings into ConductorOne
//! and what the accounting endpoints answer.

use chrono::{DateTime, Utc};

use crate::ids;

/// The six organisation roles: Xero's code and ConductorOne's display name for each.
pub(crate) const ROLES: [(&str, &str); 6] = [
    ("READONLY", "Read only"),
    ("INVOICEONLY", "Invoice only"),
    ("STANDARD", "Standard"),
    ("FINANCIALADVISER", "Financial adviser"),
    ("MANAGEDCLIENT", "Managed client"),
    ("CASHBOOKCLIENT", "Cashbook client"),
];

/// A Xero organisation (a Custom Connection reaches exactly one).
pub(crate) struct Tenant {
    pub(crate) tenant_id: String,
    pub(crate) connection_id: String,
    pub(crate) auth_event_id: String,
    pub(crate) name: String,
    pub(crate) short_code: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) users: Vec<XeroUser>,
}

/// A user of a Xero organisation.
pub(crate) struct XeroUser {
    pub(crate) user_id: String,
    pub(crate) first_name: &'static str,
    pub(crate) last_name: &'static str,
    pub(crate) role: &'static str,
    pub(crate) is_subscriber: bool,
}

impl XeroUser {
    pub(crate) fn email(&self) -> String {
        format!("{}.{}@example.com", self.first_name, self.last_name).to_lowercase()
    }
}

const PEOPLE: [(&str, &str, &str); 5] = [
    ("Olivia", "Hart", "STANDARD"),
    ("Noah", "Reid", "STANDARD"),
    ("Mia", "Chen", "READONLY"),
    ("Liam", "Patel", "INVOICEONLY"),
    ("Ava", "Brooks", "FINANCIALADVISER"),
];

impl Tenant {
    /// A fresh organisation with five users; `n` tells organisations apart in names.
    pub(crate) fn generate(n: usize) -> Self {
        let users = PEOPLE
            .iter()
            .enumerate()
            .map(|(i, (first, last, role))| XeroUser {
                user_id: ids::uuid(),
                first_name: first,
                last_name: last,
                role,
                is_subscriber: i == 0,
            })
            .collect();
        Self {
            tenant_id: ids::uuid(),
            connection_id: ids::uuid(),
            auth_event_id: ids::uuid(),
            name: format!("Demo Company {n} (NZ)"),
            short_code: format!("!emu{n:02}"),
            created: Utc::now(),
            users,
        }
    }

    /// How many users hold `role`.
    pub(crate) fn role_count(&self, role: &str) -> u64 {
        self.users.iter().filter(|u| u.role == role).count() as u64
    }
}
