//! Help texts, kept as data (sections of option → description) and
//! rendered the way Centreon's `pod2usage` renders its POD: a `Title:`
//! heading, options indented by 4, descriptions by 12 and wrapped at 76
//! columns, a tag shorter than 8 characters sharing its line.
//!
//! The same constants feed `--help`, the short usage and the man page
//! (`--generate=man`), so there is no hand-kept second copy.

use std::borrow::Cow;

#[derive(Clone, Copy)]
pub struct Item {
    /// The option as shown (`--region`), or several separated by spaces.
    pub tag: &'static str,
    pub text: &'static str,
}

pub struct Section {
    pub title: &'static str,
    /// A paragraph before the items (a mode's one-line description).
    pub intro: &'static str,
    pub items: &'static [Item],
    /// Items made from a mode's table (one per threshold label), shown
    /// after `items`: (tag, text).
    pub from_table: fn() -> Vec<(String, String)>,
}

impl Section {
    /// Every item as (tag, text), in order.
    pub fn entries(&self) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
        let written = self
            .items
            .iter()
            .map(|i| (Cow::Borrowed(i.tag), Cow::Borrowed(i.text)));
        let made = (self.from_table)()
            .into_iter()
            .map(|(tag, text)| (Cow::Owned(tag), Cow::Owned(text)));
        written.chain(made).collect()
    }
}

const WIDTH: usize = 76;

fn wrap(text: &str, indent: usize, first_prefix: Option<&str>, out: &mut String) {
    let pad = " ".repeat(indent);
    let mut line = match first_prefix {
        Some(p) => p.to_owned(),
        None => pad.clone(),
    };
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = pad.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

pub fn render_section(s: &Section, out: &mut String) {
    out.push_str(s.title);
    out.push_str(":\n");
    if !s.intro.is_empty() {
        wrap(s.intro, 4, None, out);
        out.push('\n');
    }
    let entries = s.entries();
    for (tag, text) in &entries {
        for (i, para) in text.split("\n\n").enumerate() {
            if i == 0 && tag.len() < 8 {
                let prefix = format!("    {tag:<8}");
                wrap(para, 12, Some(&prefix), out);
            } else {
                if i == 0 {
                    out.push_str("    ");
                    out.push_str(tag);
                    out.push('\n');
                }
                wrap(para, 12, None, out);
            }
            out.push('\n');
        }
    }
    if entries.is_empty() && s.intro.is_empty() {
        out.push('\n');
    }
}

pub const DESCRIPTION: Section = Section {
    title: "Plugin Description",
    from_table: Vec::new,
    intro: "Check Amazon CloudTrail.",
    items: &[],
};

pub const GLOBAL: Section = Section {
    title: "Global Options",
    from_table: Vec::new,
    intro: "",
    items: &[
        Item {
            tag: "--mode",
            text: "Define the mode in which you want the plugin to be executed (see --list-mode).",
        },
        Item {
            tag: "--dyn-mode",
            text: "Specify a mode with the module's path: \
                   cloud::aws::cloudtrail::mode::checktrailstatus or ::countevents.",
        },
        Item {
            tag: "--list-mode",
            text: "List all available modes.",
        },
        Item {
            tag: "--mode-version",
            text: "Check minimal version of mode. If not, unknown error.",
        },
        Item {
            tag: "--version",
            text: "Return the version of the plugin.",
        },
        Item {
            tag: "--generate",
            text: "--generate=man prints this manual as a man page (roff) and exits 0; the \
                   packages install it as check_cloudtrail(1).",
        },
        Item {
            tag: "--custommode",
            text: "How to reach AWS: 'api' (default; 'paws' is the same) signs and sends the \
                   requests itself, with no Perl, Paws or aws CLI needed; 'awscli' runs the \
                   aws CLI.",
        },
        Item {
            tag: "--list-custommode",
            text: "List all available custom modes.",
        },
        Item {
            tag: "--plugin",
            text: "Accepted for compatibility: cloud::aws::cloudtrail::plugin is the only plugin \
                   this program holds.",
        },
        Item {
            tag: "--list-plugin",
            text: "List the plugin this program holds.",
        },
        Item {
            tag: "--pass-manager",
            text: "Only 'environment': with --environment-map-option=OPTION=VARIABLE (repeatable) \
                   an option takes the value of an environment variable, so a secret need not be \
                   written on the command line.",
        },
        Item {
            tag: "--environment-map-option",
            text: "OPTION=VARIABLE for --pass-manager=environment, e.g. \
                   --environment-map-option=aws-secret-key=AWS_SECRET.",
        },
        Item {
            tag: "--global-timeout",
            text: "Seconds after which the whole run ends as UNKNOWN (the shorter of this and \
                   --timeout wins).",
        },
        Item {
            tag: "--convert-args",
            text: "SEARCH,REPLACE: replace a regular expression in the values of the connector \
                   and mode options (e.g. --convert-args='##,\\x33').",
        },
        Item {
            tag: "--ignore-warn-msg",
            text: "Accepted for compatibility (there are no Perl warnings to silence).",
        },
    ],
};

pub const OUTPUT: Section = Section {
    title: "Output Options",
    from_table: Vec::new,
    intro: "",
    items: &[
        Item {
            tag: "--verbose",
            text: "Display extended status information (long output).",
        },
        Item {
            tag: "--debug",
            text: "Display debug messages: each request and answer (signatures, security tokens \
                   and secret keys are never shown).",
        },
        Item {
            tag: "--debug-stream",
            text: "Same as --debug (the lines come with the output).",
        },
        Item {
            tag: "--show-password",
            text: "Accepted for compatibility; secrets are never shown.",
        },
        Item {
            tag: "--filter-perfdata",
            text: "Keep only the metrics whose label matches this regular expression.",
        },
        Item {
            tag: "--filter-perfdata-adv",
            text: "Keep only the metrics for which this condition holds, with the variables \
                   %(label), %(value), %(unit), %(warning), %(critical), %(min), %(max), \
                   %(mode); e.g. --filter-perfdata-adv='not (%(value) == 0 and %(max) eq \"\")'.",
        },
        Item {
            tag: "--explode-perfdata-max",
            text: "Add a metric for each metric that has a maximum: LABEL_max, or the label \
                   given as --explode-perfdata-max=MATCH,LABEL.",
        },
        Item {
            tag: "--change-perfdata --extend-perfdata",
            text: "Change (or add a changed copy of) the metrics whose label matches: \
                   MATCH,NEWLABEL,METHOD,UNIT,MIN,MAX,WARNING,CRITICAL with METHOD one of \
                   invert(), percent(), scale(auto|MB|Mbps…), math(EXPR with current), \
                   min(RE), max(RE), sum(RE), average(RE); e.g. \
                   --change-perfdata='events_count,events'.",
        },
        Item {
            tag: "--extend-perfdata-group",
            text: "Add aggregated metrics: MATCH,NEWLABEL,min|max|sum|average(RE),UNIT,MIN,MAX; \
                   with an empty MATCH one metric over all that RE matches.",
        },
        Item {
            tag: "--change-short-output --change-long-output",
            text: "Rewrite the short/long output: pattern~replacement~modifiers (g, i), \
                   repeatable; e.g. --change-short-output='OK~Up~gi'.",
        },
        Item {
            tag: "--change-output-adv",
            text: "CONDITION,SHORT OUTPUT,EXIT: when the condition on %(short_output) and \
                   %(exit_code) holds, replace the short output and/or the exit state.",
        },
        Item {
            tag: "--change-exit",
            text: "Replace an exit code: --change-exit=unknown=critical (repeatable). Only the \
                   code changes; the printed label stays.",
        },
        Item {
            tag: "--range-perfdata",
            text: "Ranges in perfdata: 0 as they are; 1 without a zero start (0:5 becomes 5); 2 \
                   none.",
        },
        Item {
            tag: "--filter-uom",
            text: "Blank the units that do not match this regular expression.",
        },
        Item {
            tag: "--opt-exit",
            text: "Replace the exit code in case of an execution error (i.e. wrong option \
                   provided, API error, timeout, etc). Default: unknown.",
        },
        Item {
            tag: "--output-ignore-perfdata",
            text: "Remove all the metrics from the output.",
        },
        Item {
            tag: "--output-ignore-label",
            text: "Remove the status label (\"OK:\", \"WARNING:\"…) from the output.",
        },
        Item {
            tag: "--output-xml",
            text: "Return the output in XML format.",
        },
        Item {
            tag: "--output-json",
            text: "Return the output in JSON format.",
        },
        Item {
            tag: "--output-openmetrics",
            text: "Return the output in OpenMetrics format (with a plugin_mode_status metric).",
        },
        Item {
            tag: "--output-openmetrics-textfile",
            text: "The same metrics as a node_exporter textfile collector .prom file (Prometheus \
                   text format 0.0.4): no timestamps, no # EOF, every label on every sample \
                   (empty when unset) so label sets stay the same from run to run.",
        },
        Item {
            tag: "--output-file",
            text: "Write the output to this file instead of the standard output.",
        },
        Item {
            tag: "--disco-format --disco-show",
            text: "Host discovery: only for discovery modes (UNKNOWN otherwise).",
        },
        Item {
            tag: "--float-precision",
            text: "Decimals the thresholds are rounded to before comparing (default: 8).",
        },
        Item {
            tag: "--use-new-perfdata --source-encoding",
            text: "Accepted for compatibility: the labels are already final and the answers are \
                   UTF-8.",
        },
    ],
};

/// Options both connectors share.
const CREDENTIALS: [Item; 8] = [
    Item {
        tag: "--aws-access-key",
        text: "Set AWS access key (else the credential chain: AWS_ACCESS_KEY_ID, the \
               profile, web identity, container or instance credentials).",
    },
    Item {
        tag: "--aws-secret-key",
        text: "Set AWS secret key (else AWS_SECRET_ACCESS_KEY or the chain).",
    },
    Item {
        tag: "--aws-session-token",
        text: "Set AWS session token (else AWS_SESSION_TOKEN).",
    },
    Item {
        tag: "--aws-profile",
        text: "Use this profile of ~/.aws/config and ~/.aws/credentials (AWS_CONFIG_FILE, \
               AWS_SHARED_CREDENTIALS_FILE) and only its chain: keys, role_arn with \
               source_profile or credential_source, web_identity_token_file, \
               credential_process.",
    },
    Item {
        tag: "--aws-role-arn",
        text: "Set ARN of the role to be assumed (STS AssumeRole on top of the credentials \
               found).",
    },
    Item {
        tag: "--aws-role-session-name",
        text: "Session name of the assumed role (default: centreon-plugins).",
    },
    Item {
        tag: "--aws-external-id",
        text: "External id the role's trust policy asks for.",
    },
    Item {
        tag: "--aws-role-duration",
        text: "Lifetime of the assumed role's credentials in seconds (900 to 43200; AWS's \
               default is 3600).",
    },
];

const CONNECTIVITY: [Item; 8] = [
    Item {
        tag: "--region",
        text: "Set the region name (required; else AWS_REGION, AWS_DEFAULT_REGION, the \
               profile's region, or the region of a trail ARN).",
    },
    Item {
        tag: "--endpoint-url --endpoint",
        text: "Override the CloudTrail endpoint URL (else AWS_ENDPOINT_URL_CLOUDTRAIL, then \
               AWS_ENDPOINT_URL); it may carry a path.",
    },
    Item {
        tag: "--sts-endpoint-url",
        text: "Override the STS endpoint used for roles and web identity (else \
               AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL; default: the regional STS \
               endpoint).",
    },
    Item {
        tag: "--fips",
        text: "Use the FIPS endpoints (also AWS_USE_FIPS_ENDPOINT=true).",
    },
    Item {
        tag: "--proxyurl",
        text: "Proxy URL if any (http://[user:password@]host:port, percent-encoded). \
               Without it, ALL_PROXY, HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read from \
               the environment. Instance metadata, container and loopback endpoints never \
               use a proxy.",
    },
    Item {
        tag: "--ca-bundle",
        text: "PEM file of the certificate authorities to trust instead of the built-in \
               ones (else AWS_CA_BUNDLE).",
    },
    Item {
        tag: "--skip-ssl-check",
        text: "Do not verify TLS certificates at all (say so under --debug).",
    },
    Item {
        tag: "--timeout",
        text: "Set timeout in seconds for the whole check, every request, retry, page or \
               command included (default: 50).",
    },
];

const REGIONS: Item = Item {
    tag: "--regions",
    text: "r1,r2,…: run the check in each of these regions and combine the results (perfdata \
           named REGION~…; the worst state wins). Not with --endpoint-url.",
};

const IGNORED: Item = Item {
    tag: "--period --timeframe --statistic --zeroed",
    text: "CloudWatch options of the AWS connector: accepted and ignored, CloudTrail has no \
           metrics to read.",
};

pub const API: Section = Section {
    title: "Api Options",
    from_table: Vec::new,
    intro: "The built-in client ('api', or 'paws' as in existing commands): signs and sends \
            the requests itself.",
    items: &[
        CREDENTIALS[0],
        CREDENTIALS[1],
        CREDENTIALS[2],
        CREDENTIALS[3],
        CREDENTIALS[4],
        CREDENTIALS[5],
        CREDENTIALS[6],
        CREDENTIALS[7],
        CONNECTIVITY[0],
        CONNECTIVITY[1],
        CONNECTIVITY[2],
        CONNECTIVITY[3],
        CONNECTIVITY[4],
        CONNECTIVITY[5],
        CONNECTIVITY[6],
        CONNECTIVITY[7],
        REGIONS,
        IGNORED,
    ],
};

pub const AWSCLI: Section = Section {
    title: "Awscli Options",
    from_table: Vec::new,
    intro: "Amazon AWS CLI: runs 'aws cloudtrail get-trail-status' or 'aws cloudtrail \
            lookup-events' (never through a shell) and reads its JSON.",
    items: &[
        CREDENTIALS[0],
        CREDENTIALS[1],
        CREDENTIALS[2],
        CREDENTIALS[3],
        CREDENTIALS[4],
        CREDENTIALS[5],
        CREDENTIALS[6],
        CREDENTIALS[7],
        CONNECTIVITY[0],
        CONNECTIVITY[1],
        CONNECTIVITY[2],
        CONNECTIVITY[3],
        CONNECTIVITY[4],
        CONNECTIVITY[5],
        CONNECTIVITY[6],
        CONNECTIVITY[7],
        Item {
            tag: "--sudo",
            text: "Use 'sudo' to execute the command.",
        },
        Item {
            tag: "--command",
            text: "Command to get information (default: 'aws').",
        },
        Item {
            tag: "--command-path",
            text: "Directory of the command (default: found in PATH).",
        },
        Item {
            tag: "--command-options",
            text: "Command options replacing the generated ones (split as a shell would, run \
                   without one). Only for testing: you then set ALL parameters yourself.",
        },
        IGNORED,
    ],
};

pub const STATEFILE: Section = Section {
    title: "Statefile Options",
    from_table: Vec::new,
    intro: "What runs share: API rate buckets (so checks started together queue instead of \
            throttling each other), cached role credentials, the events of the last window.",
    items: &[
        Item {
            tag: "--statefile-dir",
            text: "Directory of the state files (default: /var/lib/centreon/centplugins, else \
                   ~/.cache/check_cloudtrail when that is not writable).",
        },
        Item {
            tag: "--statefile-suffix",
            text: "Suffix added to the state file names.",
        },
        Item {
            tag: "--statefile-concat-cwd",
            text: "The state directory is relative to the working directory.",
        },
        Item {
            tag: "--disable-statefile",
            text: "Keep no state: each check paces only its own requests and reads everything \
                   again.",
        },
        Item {
            tag: "--api-rate",
            text: "Requests per second for every API, shared by the checks of one account and \
                   region (default: 1.8 for LookupEvents, 9 for the others, under AWS's 2 and \
                   10, S3 unpaced; a rate given paces S3 too; 0 turns pacing off).",
        },
        Item {
            tag: "--statefile-format --statefile-storable --failback-file",
            text: "Accepted for compatibility: state files are always JSON.",
        },
    ],
};

/// The variables read, for the man page (upstream's help has no such
/// section; the README says the same at length).
pub const ENVIRONMENT: Section = Section {
    title: "Environment",
    from_table: Vec::new,
    intro: "Read only when the matching option is not given; the AWS SDKs' names and \
            meanings.",
    items: &[
        Item {
            tag: "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN",
            text: "Keys, when --aws-access-key is not given and no --aws-profile is.",
        },
        Item {
            tag: "AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE",
            text: "The profile to use (default: default) and the files it is read from \
                   (default: ~/.aws/config and ~/.aws/credentials).",
        },
        Item {
            tag: "AWS_REGION AWS_DEFAULT_REGION",
            text: "The region when neither --region nor a trail ARN gives one (then the \
                   profile's region).",
        },
        Item {
            tag: "AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME",
            text: "Web identity: the role assumed with the token file's token (EKS service \
                   accounts).",
        },
        Item {
            tag: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
                  AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            text: "Container credentials (ECS tasks, EKS Pod Identity).",
        },
        Item {
            tag: "AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT \
                  AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE AWS_METADATA_SERVICE_TIMEOUT",
            text: "EC2 instance metadata (IMDSv2): true skips it; its address; IPv6; the \
                   seconds each request may take (default 1).",
        },
        Item {
            tag: "AWS_ENDPOINT_URL AWS_ENDPOINT_URL_CLOUDTRAIL AWS_ENDPOINT_URL_STS \
                  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_USE_FIPS_ENDPOINT",
            text: "Endpoint overrides after --endpoint-url and --sts-endpoint-url; true \
                   ignores them; true is --fips.",
        },
        Item {
            tag: "AWS_CA_BUNDLE",
            text: "A PEM file replacing the built-in root certificates (--ca-bundle).",
        },
        Item {
            tag: "AWS_MAX_ATTEMPTS",
            text: "Attempts per call, 1 to 10 (default 3).",
        },
        Item {
            tag: "ALL_PROXY HTTPS_PROXY HTTP_PROXY NO_PROXY",
            text: "The proxy when --proxyurl is not given (lower-case names too); never for \
                   loopback, instance metadata or container endpoints.",
        },
        Item {
            tag: "CHECK_CLOUDTRAIL_AWSCLI",
            text: "builtin: every --custommode=awscli check runs the built-in client instead \
                   of the aws CLI (a poller-wide switch); aws or unset: the aws CLI.",
        },
        Item {
            tag: "XDG_CACHE_HOME HOME",
            text: "Where the state directory falls back to when /var/lib/centreon/centplugins \
                   is not writable.",
        },
    ],
};

pub const EXIT_STATUS: Section = Section {
    title: "Exit Status",
    from_table: Vec::new,
    intro: "The Nagios plugin codes; --opt-exit and --change-exit may map them.",
    items: &[
        Item {
            tag: "0",
            text: "OK.",
        },
        Item {
            tag: "1",
            text: "WARNING: a --warning-* range is crossed.",
        },
        Item {
            tag: "2",
            text: "CRITICAL: a --critical-* range is crossed, or a trail is not logging.",
        },
        Item {
            tag: "3",
            text: "UNKNOWN: wrong options, or an API call that failed (the reason is on the \
                   status line; a failed call is never read as zero events).",
        },
    ],
};

/// Shown after `Unknown option`: at most 23 lines of at most 80 columns.
pub const USAGE: &str = "\
Usage: check_cloudtrail --plugin=cloud::aws::cloudtrail::plugin --mode=MODE
         [--custommode=api] --region=REGION [credentials] [options]
Modes: checktrailstatus --trail-name=NAME_OR_ARN (or --all-trails)
       countevents [--delta=MIN] [--event-type=T] [--error-message=RE]
                   [--warning-count=RANGE] [--critical-count=RANGE]
       traildelivery, trailsecurity --trail-name=NAME_OR_ARN
       securityevents [--delta=MIN] [--filter-category=RE]
       listtrails [--disco-format] [--disco-show]
Credentials: --aws-access-key=AK --aws-secret-key=SK [--aws-session-token=T]
             or the AWS credential chain (environment, ~/.aws, roles,
             web identity, container, instance metadata)
More: --help, --mode=MODE --help, --list-mode, --version";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::mode::{checktrailstatus, countevents, securityevents};

    #[test]
    fn pod_like_layout() {
        let mut out = String::new();
        render_section(
            &Section {
                title: "Global Options",
                intro: "",
                items: &[
                    Item {
                        tag: "--mode",
                        text: "Define the mode in which you want the plugin to be executed (see --list-mode).",
                    },
                    Item {
                        tag: "--custommode",
                        text: "When a plugin offers several ways (CLI, library, etc.) to get information \
                               the desired one must be defined with this option.",
                    },
                ],
                from_table: Vec::new,
            },
            &mut out,
        );
        // The exact bytes pod2usage gives upstream for these two items.
        assert_eq!(
            out,
            "Global Options:\n    --mode  Define the mode in which you want the plugin to be executed (see\n            --list-mode).\n\n    --custommode\n            When a plugin offers several ways (CLI, library, etc.) to get\n            information the desired one must be defined with this option.\n\n"
        );
    }

    #[test]
    fn usage_fits_a_terminal() {
        assert!(USAGE.lines().count() <= 23);
        for l in USAGE.lines() {
            assert!(l.chars().count() <= 80, "{l}");
        }
    }

    #[test]
    fn help_lines_fit_76_columns() {
        let mut out = String::new();
        for s in [
            &DESCRIPTION,
            &GLOBAL,
            &OUTPUT,
            &API,
            &checktrailstatus::HELP,
            &countevents::HELP,
            &securityevents::HELP,
        ] {
            render_section(s, &mut out);
        }
        for l in out.lines() {
            assert!(l.chars().count() <= 76, "{l}");
        }
    }
}
