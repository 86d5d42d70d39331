//! Statistical disclosure control for the aggregate audiences of Schoolscan
//! (privacy-security.md §8, requirements R8–R11; rules and decisions in `docs/disclosure.md`).
//!
//! Everything an aggregate audience (MR, board, municipality, the general part for care partners,
//! and aggregate views for the team) sees passes through this crate:
//!
//! * [`Policy`]: the audience and its effective minimum group size (default 10, raise-only).
//! * [`Cell`]: a released figure, either shown with its `n` or suppressed with a Dutch label. No
//!   released type in this crate has a field that can hold a pupil identifier.
//! * [`table`]: primary and complementary suppression of count tables with margins, and
//!   [`check`]: the exact checker of what a reader can still derive (R9).
//! * [`share()`]: shares of sensitive flags clamped to "< 5 %" / "> 95 %" (R10).
//! * [`guard`]: fixed report templates and the differencing guard (R11).
//! * [`report`]: the fixed count reports over pupil facts, and [`view`]: `Findings` turned into an
//!   [`AggregateView`].

pub mod check;
mod error;
pub mod guard;
mod policy;
pub mod report;
mod share;
pub mod table;
pub mod view;

pub use error::DisclosureError;
pub use policy::{ABSOLUTE_FLOOR, Audience, Cell, EXTERNAL_FLOOR, Policy, Reason, TABLE_LABEL, Threshold};
pub use share::{Share, share};
pub use view::AggregateView;
