//! The canonical vocabulary every stage speaks, one file per role: the contract's words
//! ([`vocabulary`]: columns, levels, weights, anchors, metrics), what a user asks
//! ([`query`]: group keys, filters), the plain result rows renderers turn into files
//! ([`rows`]), trend verdicts ([`trend`]) and published-uptime types ([`published`]).
//!
//! Nothing here knows a file format or a dataframe library; ingest produces frames with these
//! column names and metrics returns these rows. Everything is re-exported here, so a type is
//! named `crate::model::Level` whichever file holds it.

pub mod published;
pub mod query;
pub mod rows;
pub mod trend;
pub mod vocabulary;

pub use published::*;
pub use query::*;
pub use rows::*;
pub use trend::*;
pub use vocabulary::*;
