//! `listtrails`: the trails visible in the region, or Centreon host
//! discovery of them.

use crate::cli::help::{Item, Section};
use crate::cli::options::Raw;
use crate::config::Mode;
use crate::modes::listtrails::Disco;
use regex_lite::Regex;

pub const HELP: Section = Section {
    title: "Mode",
    intro: "List the trails visible in the region (ListTrails): its own, and multi-region or \
            organization trails of other regions and accounts. With --disco-format or \
            --disco-show, Centreon host discovery in XML (or JSON with --output-json): \
            macros name, arn, home_region.",
    items: &[Item {
        tag: "--filter-trail-name",
        text: "Only the trails whose name matches this regular expression.",
    }],
    from_table: Vec::new,
};

/// `--disco-format` wins over `--disco-show`; JSON only when XML is not
/// asked for too.
pub fn build(raw: &Raw, filter: Option<Regex>) -> Mode {
    Mode::ListTrails {
        filter,
        disco: if raw.flag("disco-format") {
            Some(Disco::Format)
        } else if raw.flag("disco-show") {
            Some(Disco::Show)
        } else {
            None
        },
        json: raw.flag("output-json") && !raw.flag("output-xml"),
    }
}
