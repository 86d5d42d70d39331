//! Schoolscan's growth analysis engine (stappenplan step 4).

pub mod stats;
