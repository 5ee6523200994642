//! What a screen offers a member on a customer: the rights table that [`super::judge`] applies
//! at the edge, read ahead on the device, so that the app shows only the edits the edge keeps
//! (the tests hold the two to the same answers).

use crate::workspace::Role;

/// What member `member` with `role` may do to one customer, owned by `owner` (empty: nobody).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    member: String,
    sales: bool,
    admin: bool,
    /// The customer is theirs to change: sales own it or nobody does; managers and admins
    /// change any.
    mine: bool,
}

impl Offer {
    /// The offer to `member` with `role` on a customer owned by `owner`.
    pub fn new(member: &str, role: Role, owner: &str) -> Self {
        let sales = role == Role::Sales;
        Self {
            member: member.to_owned(),
            sales,
            admin: role == Role::Admin,
            mine: !sales || owner.is_empty() || owner == member,
        }
    }

    /// Whether the customer may be changed at all.
    pub fn edit(&self) -> bool {
        self.mine
    }

    /// Whether its owner may be set.
    pub fn assign_owner(&self) -> bool {
        self.mine && !self.sales
    }

    /// Whether an entry written by `author` (an interaction, a tag, a follow-up given to
    /// `author`) may be changed or removed.
    pub fn change_entry_of(&self, author: &str) -> bool {
        self.mine && (!self.sales || author == self.member)
    }

    /// Whether the customer may be put back in the public pool: sales their own (an unowned
    /// one is there already), managers and admins any.
    pub fn release(&self) -> bool {
        self.mine
    }

    /// Whether follow-ups may be given to another member.
    pub fn reassign(&self) -> bool {
        self.mine && !self.sales
    }

    /// Whether orders may be removed (anyone who may edit the customer edits them).
    pub fn remove_orders(&self) -> bool {
        self.mine && !self.sales
    }

    /// Whether the customer may be merged into another, or its merge undone (managers and
    /// admins).
    pub fn merge(&self) -> bool {
        !self.sales
    }

    /// Whether the customer may be erased for good (admins only).
    pub fn erase(&self) -> bool {
        self.admin
    }
}
