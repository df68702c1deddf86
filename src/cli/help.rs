//! Help texts, kept as data (sections of option → description) and
//! rendered the way Centreon's `pod2usage` renders its POD: a `Title:`
//! heading, options indented by 4, descriptions by 12 and wrapped at 76
//! columns, a tag shorter than 8 characters sharing its line.
//!
//! The same constants feed `--help`, the short usage and the man page
//! (`--generate=man`), so there is no hand-kept second copy.

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
    for item in s.items {
        for (i, para) in item.text.split("\n\n").enumerate() {
            if i == 0 && item.tag.len() < 8 {
                let prefix = format!("    {:<8}", item.tag);
                wrap(para, 12, Some(&prefix), out);
            } else {
                if i == 0 {
                    out.push_str("    ");
                    out.push_str(item.tag);
                    out.push('\n');
                }
                wrap(para, 12, None, out);
            }
            out.push('\n');
        }
    }
    if s.items.is_empty() && s.intro.is_empty() {
        out.push('\n');
    }
}

pub const DESCRIPTION: Section = Section {
    title: "Plugin Description",
    intro: "Check Amazon CloudTrail.",
    items: &[],
};

pub const GLOBAL: Section = Section {
    title: "Global Options",
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
                   10; 0 turns pacing off).",
        },
        Item {
            tag: "--statefile-format --statefile-storable --failback-file",
            text: "Accepted for compatibility: state files are always JSON.",
        },
    ],
};

const ALL_TRAILS: Item = Item {
    tag: "--all-trails",
    text: "Check every trail visible in the region instead of --trail-name: each asked by \
           ARN in its home region, perfdata named TRAIL#metric, the worst state wins, no \
           trail at all is CRITICAL.",
};

const FILTER_TRAIL_NAME: Item = Item {
    tag: "--filter-trail-name",
    text: "Like --all-trails, only the trails whose name matches this regular expression.",
};

pub const MODE_CHECKTRAILSTATUS: Section = Section {
    title: "Mode",
    intro: "Check cloudtrail trail status: CRITICAL when the trail is not logging.",
    items: &[
        ALL_TRAILS,
        FILTER_TRAIL_NAME,
        Item {
            tag: "--trail-name",
            text: "Name or ARN of the trail (required). Use the ARN for a multi-region trail seen \
               from another region, or an organization trail seen from a member account; its \
               region is used when --region is not given.",
        },
    ],
};

pub const MODE_COUNTEVENTS: Section = Section {
    title: "Mode",
    intro: "Check cloudtrail events: count the management events of the last --delta minutes \
            (LookupEvents). With --verbose, the events counted are listed (time, name, user, \
            source IP, error code), at most 50.",
    items: &[
        Item {
            tag: "--event-type",
            text: "Filter by event type (exact match on the record's eventType, e.g. \
                   AwsApiCall, AwsConsoleSignIn).",
        },
        Item {
            tag: "--error-message",
            text: "Filter on an error message pattern (unanchored, case-sensitive regular \
                   expression). With --event-type too, an event matching either filter counts.",
        },
        Item {
            tag: "--delta",
            text: "Time depth for search (minutes, default: 60).",
        },
        Item {
            tag: "--warning-count",
            text: "Set warning threshold for the number of events (Nagios range).",
        },
        Item {
            tag: "--critical-count",
            text: "Set critical threshold for the number of events (Nagios range).",
        },
        Item {
            tag: "--max-pages",
            text: "Stop with UNKNOWN after this many LookupEvents pages of 50 events rather \
                   than report a partial count (default: 100). Pages are paced at 2 per second, \
                   the LookupEvents quota.",
        },
        Item {
            tag: "--event-name",
            text: "Only events of this name (e.g. ConsoleLogin).\n\n\
                   Every filter from here on must hold, and so must --event-type or \
                   --error-message when given. LookupEvents filters on one attribute: the \
                   first given of --event-name, --event-source, --username, --resource-type, \
                   --resource-name, --access-key-id, --read-only; the others are checked on \
                   the events it returns (exact, case-sensitive).",
        },
        Item {
            tag: "--event-source",
            text: "Only events of this service (e.g. iam.amazonaws.com).",
        },
        Item {
            tag: "--username",
            text: "Only events of this user name (the event's Username).",
        },
        Item {
            tag: "--resource-type",
            text: "Only events with a resource of this type (e.g. AWS::S3::Bucket).",
        },
        Item {
            tag: "--resource-name",
            text: "Only events with a resource of this name (e.g. a bucket name or an ARN).",
        },
        Item {
            tag: "--access-key-id",
            text: "Only events made with this access key id (16 to 128 of A-Z and 0-9).",
        },
        Item {
            tag: "--read-only",
            text: "true: only read-only events; false: only events that change something.",
        },
        Item {
            tag: "--error-code",
            text: "Only events whose record has this errorCode (exact match, e.g. \
                   AccessDenied).",
        },
        Item {
            tag: "--filter-event-name",
            text: "Only events whose name matches this regular expression (unanchored, \
                   case-sensitive).",
        },
        Item {
            tag: "--insight",
            text: "Count CloudTrail Insights events instead of management events \
                   (EventCategory insight).",
        },
        Item {
            tag: "--exclude-self",
            text: "Leave out the events of this plugin's own calls (user agent \
                   check_cloudtrail/...).",
        },
        Item {
            tag: "--stop-at-critical",
            text: "Stop reading pages once the count is CRITICAL whatever the rest holds \
                   (needs a --critical-count alerting above a bound, like 10); the output \
                   then says 'at least N'.",
        },
    ],
};

pub const MODE_TRAILDELIVERY: Section = Section {
    title: "Mode",
    intro: "Check that the trail's logs actually arrive (GetTrailStatus and DescribeTrails): \
            S3 delivery error and age; CloudWatch Logs error and age when the trail has a log \
            group; digest error and age when log file validation is on; SNS notification \
            error when the trail has a topic. Ages are in seconds; an error metric is 1.",
    items: &[
        ALL_TRAILS,
        FILTER_TRAIL_NAME,
        Item {
            tag: "--trail-name",
            text: "Name or ARN of the trail (required).",
        },
        Item {
            tag: "--warning-delivery-age --critical-delivery-age",
            text: "Seconds since the last S3 delivery (default: 21600 and 86400).",
        },
        Item {
            tag: "--warning-delivery-error --critical-delivery-error",
            text: "S3 delivery error, 1 when AWS reports one (default critical: 0, i.e. any).",
        },
        Item {
            tag: "--warning-cloudwatch-logs-age --critical-cloudwatch-logs-age",
            text: "Seconds since the last CloudWatch Logs delivery (default: 7200 and 86400, CIS \
                   3.4).",
        },
        Item {
            tag: "--warning-cloudwatch-logs-error --critical-cloudwatch-logs-error",
            text: "CloudWatch Logs delivery error (default critical: 0).",
        },
        Item {
            tag: "--warning-digest-age --critical-digest-age",
            text: "Seconds since the last digest file, written hourly (default: 7200 and 86400).",
        },
        Item {
            tag: "--warning-digest-error --critical-digest-error",
            text: "Digest delivery error (default critical: 0).",
        },
        Item {
            tag: "--warning-notification-error --critical-notification-error",
            text: "SNS notification error (default warning: 0).",
        },
    ],
};

pub const MODE_TRAILSECURITY: Section = Section {
    title: "Mode",
    intro: "Check the trail's configuration against CIS AWS Foundations and Security Hub \
            (DescribeTrails, GetEventSelectors, GetTrailStatus). Each check is a true/false \
            variable: %{logging} (Security Hub CloudTrail.3), %{multi_region} (CIS 3.1, \
            CloudTrail.1), %{management_events}: every read and write management event \
            recorded (CIS 3.1, CloudTrail.1), %{global_service_events} (CIS 3.1), \
            %{log_file_validation} (CIS 3.2, CloudTrail.4), %{kms_encryption} (CIS 3.7, \
            CloudTrail.2), %{cloudwatch_logs} (CIS 3.4, CloudTrail.5); and %{name}.",
    items: &[
        ALL_TRAILS,
        FILTER_TRAIL_NAME,
        Item {
            tag: "--trail-name",
            text: "Name or ARN of the trail (required).",
        },
        Item {
            tag: "--warning-status",
            text: "Condition for WARNING (default: %{log_file_validation} eq \"false\" or \
                   %{kms_encryption} eq \"false\" or %{cloudwatch_logs} eq \"false\" or \
                   %{global_service_events} eq \"false\"; empty: never).",
        },
        Item {
            tag: "--critical-status",
            text: "Condition for CRITICAL (default: %{logging} eq \"false\" or %{multi_region} eq \
                   \"false\" or %{management_events} eq \"false\"; empty: never).",
        },
        Item {
            tag: "--filter-check",
            text: "Only the checks whose name matches this regular expression (the others read \
                   as passing).",
        },
    ],
};

pub const MODE_SECURITYEVENTS: Section = Section {
    title: "Mode",
    intro: "Count the CIS AWS Foundations 4.1-4.15 monitoring events (Security Hub \
            CloudWatch.1-14) in the last --delta minutes of event history, from one paged \
            LookupEvents read: no trail, log group or metric filter needed. Perfdata labels: \
            unauthorized_api_calls (4.1), console_login_without_mfa (4.2), root_account_usage \
            (4.3), iam_policy_changes (4.4), cloudtrail_changes (4.5), console_auth_failures \
            (4.6), cmk_disable_or_deletion (4.7), s3_bucket_policy_changes (4.8), \
            aws_config_changes (4.9), security_group_changes (4.10), nacl_changes (4.11), \
            network_gateway_changes (4.12), route_table_changes (4.13), vpc_changes (4.14), \
            organizations_changes (4.15). IAM, Organizations and console sign-in events are \
            recorded in the partition's home region (us-east-1, cn-north-1, us-gov-west-1): when \
            --region is another one, that region is read too, and an event seen in both counts \
            once; with --endpoint-url only that endpoint is read. With --verbose, the matching \
            events are listed (time, category, name, user ARN, source IP, region, error code), \
            at most 100. Each category has a warning and a critical Nagios range, below, \
            on its count: with a state directory, the count of the events first seen since the \
            previous run (so a late event alerts once), else of the window. A given range \
            replaces the default, an empty one means never.",
    items: &[
        Item {
            tag: "--delta",
            text: "Time depth for search (minutes, default: 60).",
        },
        Item {
            tag: "--max-pages",
            text: "Stop with UNKNOWN after this many LookupEvents pages of 50 events per region \
                   read (default: 100).",
        },
        Item {
            tag: "--filter-category",
            text: "Only the categories whose label matches this regular expression.",
        },
        Item {
            tag: "--warning-unauthorized_api_calls",
            text: "and --critical-unauthorized_api_calls: CIS 4.1, Security Hub CloudWatch.2. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-console_login_without_mfa",
            text: "and --critical-console_login_without_mfa: CIS 4.2, Security Hub CloudWatch.3. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-root_account_usage",
            text: "and --critical-root_account_usage: CIS 4.3, Security Hub CloudWatch.1. Default: CRITICAL above 0.",
        },
        Item {
            tag: "--warning-iam_policy_changes",
            text: "and --critical-iam_policy_changes: CIS 4.4, Security Hub CloudWatch.4. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-cloudtrail_changes",
            text: "and --critical-cloudtrail_changes: CIS 4.5, Security Hub CloudWatch.5. Default: CRITICAL above 0.",
        },
        Item {
            tag: "--warning-console_auth_failures",
            text: "and --critical-console_auth_failures: CIS 4.6, Security Hub CloudWatch.6. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-cmk_disable_or_deletion",
            text: "and --critical-cmk_disable_or_deletion: CIS 4.7, Security Hub CloudWatch.7. Default: CRITICAL above 0.",
        },
        Item {
            tag: "--warning-s3_bucket_policy_changes",
            text: "and --critical-s3_bucket_policy_changes: CIS 4.8, Security Hub CloudWatch.8. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-aws_config_changes",
            text: "and --critical-aws_config_changes: CIS 4.9, Security Hub CloudWatch.9. Default: CRITICAL above 0.",
        },
        Item {
            tag: "--warning-security_group_changes",
            text: "and --critical-security_group_changes: CIS 4.10, Security Hub CloudWatch.10. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-nacl_changes",
            text: "and --critical-nacl_changes: CIS 4.11, Security Hub CloudWatch.11. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-network_gateway_changes",
            text: "and --critical-network_gateway_changes: CIS 4.12, Security Hub CloudWatch.12. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-route_table_changes",
            text: "and --critical-route_table_changes: CIS 4.13, Security Hub CloudWatch.13. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-vpc_changes",
            text: "and --critical-vpc_changes: CIS 4.14, Security Hub CloudWatch.14. Default: WARNING above 0.",
        },
        Item {
            tag: "--warning-organizations_changes",
            text: "and --critical-organizations_changes: CIS 4.15. Default: WARNING above 0.",
        },
    ],
};

pub const MODE_LISTTRAILS: Section = Section {
    title: "Mode",
    intro: "List the trails visible in the region (ListTrails): its own, and multi-region or \
            organization trails of other regions and accounts. With --disco-format or \
            --disco-show, Centreon host discovery in XML (or JSON with --output-json): \
            macros name, arn, home_region.",
    items: &[Item {
        tag: "--filter-trail-name",
        text: "Only the trails whose name matches this regular expression.",
    }],
};

/// The variables read, for the man page (upstream's help has no such
/// section; the README says the same at length).
pub const ENVIRONMENT: Section = Section {
    title: "Environment",
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
            tag: "XDG_CACHE_HOME HOME",
            text: "Where the state directory falls back to when /var/lib/centreon/centplugins \
                   is not writable.",
        },
    ],
};

pub const EXIT_STATUS: Section = Section {
    title: "Exit Status",
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

/// roff text: backslashes, hyphens and non-ASCII escaped (so `\-\-region` copies as
/// `--region`), a leading `.` or `'` kept from being read as a request.
fn roff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            // groff's ASCII output (man under a C locale) has no glyph for
            // most of Unicode and drops it silently: the few we write get
            // their classic names or ASCII.
            '…' => out.push_str("..."),
            '—' => out.push_str("\\(em"),
            '–' => out.push_str("\\(en"),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            // groff without preconv reads bytes, not UTF-8.
            c if !c.is_ascii() => out.push_str(&format!("\\[u{:04X}]", u32::from(c))),
            _ => out.push(c),
        }
    }
    if out.starts_with(['.', '\'']) {
        out.insert_str(0, "\\&");
    }
    out
}

/// One paragraph of words on one roff line (man wraps it itself).
fn roff_paragraph(text: &str) -> String {
    roff(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn man_items(items: &[Item], out: &mut String) {
    for item in items {
        out.push_str(".TP\n");
        let tags: Vec<String> = item
            .tag
            .split_whitespace()
            .map(|t| format!("\\fB{}\\fR", roff(t)))
            .collect();
        out.push_str(&tags.join(", "));
        out.push('\n');
        for (i, para) in item.text.split("\n\n").enumerate() {
            if i > 0 {
                out.push_str(".IP\n");
            }
            out.push_str(&roff_paragraph(para));
            out.push('\n');
        }
    }
}

fn man_section(heading: &str, s: &Section, out: &mut String) {
    out.push_str(heading);
    out.push('\n');
    if !s.intro.is_empty() {
        out.push_str(&roff_paragraph(s.intro));
        out.push('\n');
    }
    man_items(s.items, out);
}

/// The manual page, in roff (`man 7 man`), from the sections `--help`
/// prints. `modes` pairs each mode's name with its help section.
pub fn man_page(version: &str, summary: &str, modes: &[(&str, &Section)]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        ".TH CHECK_CLOUDTRAIL 1 \"\" \"check_cloudtrail {}\" \"Monitoring Plugins\"\n",
        roff(version)
    ));
    // Option and variable names must not be hyphenated, and long names
    // stretch justified lines: no hyphenation, left-aligned.
    out.push_str(".nh\n.ad l\n");
    out.push_str(&format!(
        ".SH NAME\ncheck_cloudtrail \\- {}\n",
        roff(summary)
    ));
    out.push_str(".SH SYNOPSIS\n.nf\n");
    for line in USAGE.lines().take_while(|l| !l.starts_with("Credentials:")) {
        out.push_str(&roff(line.strip_prefix("Usage: ").unwrap_or(line)));
        out.push('\n');
    }
    out.push_str(".fi\n");
    man_section(".SH DESCRIPTION", &DESCRIPTION, &mut out);
    for s in [&GLOBAL, &OUTPUT, &API, &AWSCLI, &STATEFILE] {
        let heading = format!(".SH \"{}\"", s.title.to_uppercase());
        man_section(&heading, s, &mut out);
    }
    out.push_str(".SH MODES\n");
    for (name, s) in modes {
        man_section(&format!(".SS {}", roff(name)), s, &mut out);
    }
    man_section(".SH ENVIRONMENT", &ENVIRONMENT, &mut out);
    man_section(".SH \"EXIT STATUS\"", &EXIT_STATUS, &mut out);
    out.push_str(
        ".SH \"SEE ALSO\"\nThe README of check_cloudtrail (every mode, the credential \
         chain, deviations from the Centreon plugin) and its contrib/ directory (Centreon, \
         Nagios and Icinga 2 command definitions).\n",
    );
    out
}

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
    fn man_page_is_roff_of_the_help_items() {
        let page = man_page("1.2.3", "a summary", &[("countevents", &MODE_COUNTEVENTS)]);
        assert!(page.starts_with(".TH CHECK_CLOUDTRAIL 1 \"\" \"check_cloudtrail 1.2.3\""));
        assert!(page.contains("\n.SH NAME\ncheck_cloudtrail \\- a summary\n"));
        assert!(page.contains("\n.SS countevents\n"));
        // Every option of the sections shown, as a bold tag.
        for s in [
            &GLOBAL,
            &OUTPUT,
            &API,
            &AWSCLI,
            &STATEFILE,
            &MODE_COUNTEVENTS,
        ] {
            for item in s.items {
                for tag in item.tag.split_whitespace() {
                    let bold = format!("\\fB{}\\fR", tag.replace('-', "\\-"));
                    assert!(page.contains(&bold), "{tag} missing");
                }
            }
        }
        // A multi-paragraph item continues with .IP, nothing is a stray request.
        assert!(page.contains("\n.IP\n"));
        for line in page.lines() {
            if let Some(rest) = line.strip_prefix('.') {
                let request = rest.split(' ').next().unwrap_or_default();
                assert!(
                    ["TH", "SH", "SS", "TP", "IP", "nf", "fi", "nh", "ad"].contains(&request),
                    "{line}"
                );
            }
            assert!(!line.starts_with('\''), "{line}");
        }
        assert!(!page.contains("--"), "unescaped hyphens");
    }

    #[test]
    fn roff_escapes() {
        assert_eq!(roff(r"a\b-c"), r"a\eb\-c");
        assert_eq!(roff(".x"), r"\&.x");
        assert_eq!(roff("a…—’"), r"a...\(em'");
        assert_eq!(roff("é"), r"\[u00E9]");
        assert_eq!(roff("'x"), r"\&'x");
        assert_eq!(roff_paragraph("  two\n words "), "two words");
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
            &MODE_CHECKTRAILSTATUS,
            &MODE_COUNTEVENTS,
            &MODE_SECURITYEVENTS,
        ] {
            render_section(s, &mut out);
        }
        for l in out.lines() {
            assert!(l.chars().count() <= 76, "{l}");
        }
    }
}
