//! Rules of the road map, free of web and database types.

pub mod achievement;
pub mod bulk;
pub mod change_feed;
pub mod decimal;
pub mod evidence;
pub mod indicator;
pub mod key;
pub mod lang;
pub mod organisation_names;
pub mod pagination;
pub mod password_policy;
pub mod period;
pub mod plan;
pub mod realisation;
pub mod report;
pub mod roadmap_file;
pub mod structure;
pub mod synth;
pub mod target;
pub mod value;
