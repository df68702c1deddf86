//! `checktrailstatus`: is the trail logging? Its builder is the trail
//! choice alone.

use crate::cli::help::{Item, Section};

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check cloudtrail trail status: CRITICAL when the trail is not logging.",
    items: &[
        super::ALL_TRAILS,
        super::FILTER_TRAIL_NAME,
        Item {
            tag: "--trail-name",
            text: "Name or ARN of the trail (required). Use the ARN for a multi-region trail seen \
               from another region, or an organization trail seen from a member account; its \
               region is used when --region is not given.",
        },
    ],
    from_table: Vec::new,
};
