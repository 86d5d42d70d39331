//! The schoolscan as plain state: what each step of the stappenplan holds, the catalogues the steps
//! choose from, and the pure functions that derive what a step shows from the data (coverage and
//! witte vlekken in step 2, the capacity overview in step 7).
//!
//! The store keeps each step's content as a JSON document with a version for optimistic locking;
//! this crate owns the shape of those documents.

pub mod capacity;
pub mod catalogue;
pub mod inventory;
pub mod steps;

pub use catalogue::{Domain, DomainKind, cognitive_catalogue, social_emotional_catalogue};
pub use steps::StepContent;
