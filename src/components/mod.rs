//! One component per file, re-exported here.

mod footer;
mod header;
mod region;

pub use footer::Footer;
pub use header::Header;
pub use region::{Region, RegionProps};
