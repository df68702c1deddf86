//! The CIS AWS Foundations §4 "monitoring" categories as predicates on
//! one CloudTrail record: the same test the CloudWatch Logs metric filter
//! of each control applies, without the log group, filter or alarm.
//!
//! Sources of the patterns (one per row below, quoted in `pattern`):
//! - AWS Security Hub user guide, "Amazon CloudWatch controls",
//!   CloudWatch.1–14 (awsdocs/aws-security-hub-user-guide,
//!   `doc_source/cloudwatch-controls.md`; live at
//!   <https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html>).
//!   Security Hub requires "the exact metric filters prescribed by CIS".
//! - Prowler's `cloudwatch_log_metric_filter_*` and
//!   `cloudwatch_changes_to_*_alarm_configured` checks (their metadata
//!   carries the pattern), for 4.15 which has no Security Hub control.
//!
//! Where the sources differ we follow Security Hub: 4.2 uses its long form
//! (IAM users whose console sign-in succeeded, so SSO sign-ins do not
//! count), 4.13 has no `eventSource` term.

use crate::aws::cloudtrail::Event;
use crate::threshold::{Range, Thresholds};

/// How a category's counter alerts when the admin sets nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// `--warning-<label>` is `0`: any event is WARNING.
    Warning,
    /// `--critical-<label>` is `0`: any event is CRITICAL.
    Critical,
}

/// What a record must carry to fall in a category.
#[derive(Debug)]
pub enum Rule {
    /// `eventName` is one of these, and `eventSource` is this one when
    /// given.
    Names {
        source: Option<&'static str>,
        names: &'static [&'static str],
    },
    /// A predicate the name list cannot say.
    Custom(fn(&Event) -> bool),
}

#[derive(Debug)]
pub struct Category {
    /// The perfdata label and the `--warning-`/`--critical-` suffix.
    pub label: &'static str,
    /// CIS AWS Foundations (v1.4–v5.0 numbering).
    pub cis: &'static str,
    /// The Security Hub control, when there is one.
    pub control: Option<&'static str>,
    /// The metric filter pattern the rule implements.
    pub pattern: &'static str,
    pub rule: Rule,
    pub default: Default,
    /// What the counter counts, for the short output.
    pub what: &'static str,
}

impl Category {
    /// The ranges when the admin gives none: the default level alerts
    /// on any event.
    pub fn default_thresholds(&self) -> Thresholds {
        let zero = Range::parse("0");
        match self.default {
            Default::Warning => Thresholds {
                warning: zero,
                critical: None,
            },
            Default::Critical => Thresholds {
                warning: None,
                critical: zero,
            },
        }
    }

    pub fn matches(&self, e: &Event) -> bool {
        match &self.rule {
            Rule::Names { source, names } => {
                source.is_none_or(|s| e.event_source.as_deref() == Some(s))
                    && e.event_name.as_deref().is_some_and(|n| names.contains(&n))
            }
            Rule::Custom(f) => f(e),
        }
    }
}

fn is(field: &Option<String>, value: &str) -> bool {
    field.as_deref() == Some(value)
}

/// `($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")`
fn unauthorized(e: &Event) -> bool {
    e.error_code
        .as_deref()
        .is_some_and(|c| c.ends_with("UnauthorizedOperation") || c.starts_with("AccessDenied"))
}

/// A metric filter's `!=` also matches a record without the field.
fn console_login_without_mfa(e: &Event) -> bool {
    is(&e.event_name, "ConsoleLogin")
        && !is(&e.mfa_used, "Yes")
        && is(&e.user_type, "IAMUser")
        && is(&e.console_login, "Success")
}

fn root_usage(e: &Event) -> bool {
    is(&e.user_type, "Root") && e.invoked_by.is_none() && !is(&e.event_type, "AwsServiceEvent")
}

fn console_auth_failure(e: &Event) -> bool {
    is(&e.event_name, "ConsoleLogin") && is(&e.error_message, "Failed authentication")
}

pub const CATEGORIES: [Category; 15] = [
    Category {
        label: "unauthorized_api_calls",
        cis: "4.1",
        control: Some("CloudWatch.2"),
        pattern: r#"{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}"#,
        rule: Rule::Custom(unauthorized),
        default: Default::Warning,
        what: "unauthorized API calls",
    },
    Category {
        label: "console_login_without_mfa",
        cis: "4.2",
        control: Some("CloudWatch.3"),
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
        rule: Rule::Custom(console_login_without_mfa),
        default: Default::Warning,
        what: "console logins without MFA",
    },
    Category {
        label: "root_account_usage",
        cis: "4.3",
        control: Some("CloudWatch.1"),
        pattern: r#"{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}"#,
        rule: Rule::Custom(root_usage),
        default: Default::Critical,
        what: "root account uses",
    },
    Category {
        label: "iam_policy_changes",
        cis: "4.4",
        control: Some("CloudWatch.4"),
        pattern: "{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || \
                  ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || \
                  ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || \
                  ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || \
                  ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || \
                  ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || \
                  ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || \
                  ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "DeleteGroupPolicy",
                "DeleteRolePolicy",
                "DeleteUserPolicy",
                "PutGroupPolicy",
                "PutRolePolicy",
                "PutUserPolicy",
                "CreatePolicy",
                "DeletePolicy",
                "CreatePolicyVersion",
                "DeletePolicyVersion",
                "AttachRolePolicy",
                "DetachRolePolicy",
                "AttachUserPolicy",
                "DetachUserPolicy",
                "AttachGroupPolicy",
                "DetachGroupPolicy",
            ],
        },
        default: Default::Warning,
        what: "IAM policy changes",
    },
    Category {
        label: "cloudtrail_changes",
        cis: "4.5",
        control: Some("CloudWatch.5"),
        pattern: "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || \
                  ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || \
                  ($.eventName=StopLogging)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "CreateTrail",
                "UpdateTrail",
                "DeleteTrail",
                "StartLogging",
                "StopLogging",
            ],
        },
        default: Default::Critical,
        what: "CloudTrail changes",
    },
    Category {
        label: "console_auth_failures",
        cis: "4.6",
        control: Some("CloudWatch.6"),
        pattern: r#"{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}"#,
        rule: Rule::Custom(console_auth_failure),
        default: Default::Warning,
        what: "console authentication failures",
    },
    Category {
        label: "cmk_disable_or_deletion",
        cis: "4.7",
        control: Some("CloudWatch.7"),
        pattern: "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || \
                  ($.eventName=ScheduleKeyDeletion))}",
        rule: Rule::Names {
            source: Some("kms.amazonaws.com"),
            names: &["DisableKey", "ScheduleKeyDeletion"],
        },
        default: Default::Critical,
        what: "KMS keys disabled or scheduled for deletion",
    },
    Category {
        label: "s3_bucket_policy_changes",
        cis: "4.8",
        control: Some("CloudWatch.8"),
        pattern: "{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || \
                  ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || \
                  ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || \
                  ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || \
                  ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}",
        rule: Rule::Names {
            source: Some("s3.amazonaws.com"),
            names: &[
                "PutBucketAcl",
                "PutBucketPolicy",
                "PutBucketCors",
                "PutBucketLifecycle",
                "PutBucketReplication",
                "DeleteBucketPolicy",
                "DeleteBucketCors",
                "DeleteBucketLifecycle",
                "DeleteBucketReplication",
            ],
        },
        default: Default::Warning,
        what: "S3 bucket policy changes",
    },
    Category {
        label: "aws_config_changes",
        cis: "4.9",
        control: Some("CloudWatch.9"),
        pattern: "{($.eventSource=config.amazonaws.com) && \
                  (($.eventName=StopConfigurationRecorder) || \
                  ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || \
                  ($.eventName=PutConfigurationRecorder))}",
        rule: Rule::Names {
            source: Some("config.amazonaws.com"),
            names: &[
                "StopConfigurationRecorder",
                "DeleteDeliveryChannel",
                "PutDeliveryChannel",
                "PutConfigurationRecorder",
            ],
        },
        default: Default::Critical,
        what: "AWS Config changes",
    },
    Category {
        label: "security_group_changes",
        cis: "4.10",
        control: Some("CloudWatch.10"),
        pattern: "{($.eventName=AuthorizeSecurityGroupIngress) || \
                  ($.eventName=AuthorizeSecurityGroupEgress) || \
                  ($.eventName=RevokeSecurityGroupIngress) || \
                  ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || \
                  ($.eventName=DeleteSecurityGroup)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress",
                "CreateSecurityGroup",
                "DeleteSecurityGroup",
            ],
        },
        default: Default::Warning,
        what: "security group changes",
    },
    Category {
        label: "nacl_changes",
        cis: "4.11",
        control: Some("CloudWatch.11"),
        pattern: "{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || \
                  ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || \
                  ($.eventName=ReplaceNetworkAclEntry) || \
                  ($.eventName=ReplaceNetworkAclAssociation)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "CreateNetworkAcl",
                "CreateNetworkAclEntry",
                "DeleteNetworkAcl",
                "DeleteNetworkAclEntry",
                "ReplaceNetworkAclEntry",
                "ReplaceNetworkAclAssociation",
            ],
        },
        default: Default::Warning,
        what: "network ACL changes",
    },
    Category {
        label: "network_gateway_changes",
        cis: "4.12",
        control: Some("CloudWatch.12"),
        pattern: "{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || \
                  ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || \
                  ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "CreateCustomerGateway",
                "DeleteCustomerGateway",
                "AttachInternetGateway",
                "CreateInternetGateway",
                "DeleteInternetGateway",
                "DetachInternetGateway",
            ],
        },
        default: Default::Warning,
        what: "network gateway changes",
    },
    Category {
        label: "route_table_changes",
        cis: "4.13",
        control: Some("CloudWatch.13"),
        pattern: "{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || \
                  ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || \
                  ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || \
                  ($.eventName=DisassociateRouteTable)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "CreateRoute",
                "CreateRouteTable",
                "ReplaceRoute",
                "ReplaceRouteTableAssociation",
                "DeleteRouteTable",
                "DeleteRoute",
                "DisassociateRouteTable",
            ],
        },
        default: Default::Warning,
        what: "route table changes",
    },
    Category {
        label: "vpc_changes",
        cis: "4.14",
        control: Some("CloudWatch.14"),
        pattern: "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || \
                  ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || \
                  ($.eventName=CreateVpcPeeringConnection) || \
                  ($.eventName=DeleteVpcPeeringConnection) || \
                  ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || \
                  ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || \
                  ($.eventName=EnableVpcClassicLink)}",
        rule: Rule::Names {
            source: None,
            names: &[
                "CreateVpc",
                "DeleteVpc",
                "ModifyVpcAttribute",
                "AcceptVpcPeeringConnection",
                "CreateVpcPeeringConnection",
                "DeleteVpcPeeringConnection",
                "RejectVpcPeeringConnection",
                "AttachClassicLinkVpc",
                "DetachClassicLinkVpc",
                "DisableVpcClassicLink",
                "EnableVpcClassicLink",
            ],
        },
        default: Default::Warning,
        what: "VPC changes",
    },
    Category {
        label: "organizations_changes",
        cis: "4.15",
        control: None,
        pattern: "{ ($.eventSource = organizations.amazonaws.com) && \
                  (($.eventName = \"AcceptHandshake\") || ($.eventName = \"AttachPolicy\") || \
                  ($.eventName = \"CancelHandshake\") || ($.eventName = \"CreateAccount\") || \
                  ($.eventName = \"CreateOrganization\") || \
                  ($.eventName = \"CreateOrganizationalUnit\") || \
                  ($.eventName = \"CreatePolicy\") || ($.eventName = \"DeclineHandshake\") || \
                  ($.eventName = \"DeleteOrganization\") || \
                  ($.eventName = \"DeleteOrganizationalUnit\") || \
                  ($.eventName = \"DeletePolicy\") || ($.eventName = \"EnableAllFeatures\") || \
                  ($.eventName = \"EnablePolicyType\") || \
                  ($.eventName = \"InviteAccountToOrganization\") || \
                  ($.eventName = \"LeaveOrganization\") || ($.eventName = \"DetachPolicy\") || \
                  ($.eventName = \"DisablePolicyType\") || ($.eventName = \"MoveAccount\") || \
                  ($.eventName = \"RemoveAccountFromOrganization\") || \
                  ($.eventName = \"UpdateOrganizationalUnit\") || \
                  ($.eventName = \"UpdatePolicy\")) }",
        rule: Rule::Names {
            source: Some("organizations.amazonaws.com"),
            names: &[
                "AcceptHandshake",
                "AttachPolicy",
                "CancelHandshake",
                "CreateAccount",
                "CreateOrganization",
                "CreateOrganizationalUnit",
                "CreatePolicy",
                "DeclineHandshake",
                "DeleteOrganization",
                "DeleteOrganizationalUnit",
                "DeletePolicy",
                "EnableAllFeatures",
                "EnablePolicyType",
                "InviteAccountToOrganization",
                "LeaveOrganization",
                "DetachPolicy",
                "DisablePolicyType",
                "MoveAccount",
                "RemoveAccountFromOrganization",
                "UpdateOrganizationalUnit",
                "UpdatePolicy",
            ],
        },
        default: Default::Warning,
        what: "Organizations changes",
    },
];

/// Services whose events CloudTrail records in the partition's home
/// region only (IAM, Organizations, console sign-in): the categories see
/// them there whatever `--region` says.
pub const GLOBAL_SOURCES: [&str; 3] = [
    "iam.amazonaws.com",
    "organizations.amazonaws.com",
    "signin.amazonaws.com",
];

/// The region global events are recorded in, for a region's partition.
pub fn home_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-north-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// Whether a category can be fed by global events (and so needs the home
/// region read when `--region` is another one).
pub fn needs_global(c: &Category) -> bool {
    matches!(
        c.label,
        "unauthorized_api_calls"
            | "console_login_without_mfa"
            | "root_account_usage"
            | "iam_policy_changes"
            | "console_auth_failures"
            | "organizations_changes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(source: &str, name: &str) -> Event {
        Event {
            event_id: "e".into(),
            event_source: Some(source.into()),
            event_name: Some(name.into()),
            ..Event::default()
        }
    }

    fn category(label: &str) -> &'static Category {
        CATEGORIES
            .iter()
            .find(|c| c.label == label)
            .expect("known label")
    }

    /// One matching and one near-miss record per row.
    fn cases(label: &str) -> (Event, Event) {
        match label {
            "unauthorized_api_calls" => (
                Event {
                    error_code: Some("Client.UnauthorizedOperation".into()),
                    ..named("ec2.amazonaws.com", "RunInstances")
                },
                Event {
                    error_code: Some("UnauthorizedOperationX".into()),
                    ..named("ec2.amazonaws.com", "RunInstances")
                },
            ),
            "console_login_without_mfa" => {
                let hit = Event {
                    user_type: Some("IAMUser".into()),
                    mfa_used: Some("No".into()),
                    console_login: Some("Success".into()),
                    ..named("signin.amazonaws.com", "ConsoleLogin")
                };
                let miss = Event {
                    mfa_used: Some("Yes".into()),
                    ..hit.clone()
                };
                (hit, miss)
            }
            "root_account_usage" => {
                let hit = Event {
                    user_type: Some("Root".into()),
                    event_type: Some("AwsApiCall".into()),
                    ..named("s3.amazonaws.com", "ListBuckets")
                };
                let miss = Event {
                    invoked_by: Some("support.amazonaws.com".into()),
                    ..hit.clone()
                };
                (hit, miss)
            }
            "console_auth_failures" => {
                let hit = Event {
                    error_message: Some("Failed authentication".into()),
                    ..named("signin.amazonaws.com", "ConsoleLogin")
                };
                let miss = Event {
                    error_message: Some("Failed authentication".into()),
                    ..named("signin.amazonaws.com", "SwitchRole")
                };
                (hit, miss)
            }
            _ => {
                let c = category(label);
                let Rule::Names { source, names } = &c.rule else {
                    panic!("{label} has a custom rule but no case");
                };
                let hit = named(source.unwrap_or("ec2.amazonaws.com"), names[0]);
                // A near miss: with a source, the right name from another
                // service; without, a name one letter off.
                let miss = match source {
                    Some(_) => named("cloudtrail.amazonaws.com", names[0]),
                    None => named("ec2.amazonaws.com", &format!("{}s", names[0])),
                };
                (hit, miss)
            }
        }
    }

    #[test]
    fn every_row_matches_its_record_and_not_the_near_miss() {
        for c in &CATEGORIES {
            let (hit, miss) = cases(c.label);
            assert!(c.matches(&hit), "{} should match {hit:?}", c.label);
            assert!(!c.matches(&miss), "{} should not match {miss:?}", c.label);
        }
    }

    #[test]
    fn every_name_of_a_list_matches() {
        for c in &CATEGORIES {
            if let Rule::Names { source, names } = &c.rule {
                for n in *names {
                    assert!(
                        c.matches(&named(source.unwrap_or("x"), n)),
                        "{} {n}",
                        c.label
                    );
                    assert!(c.pattern.contains(n), "{} pattern lacks {n}", c.label);
                }
            }
        }
    }

    #[test]
    fn access_denied_prefix_and_missing_fields() {
        let c = category("unauthorized_api_calls");
        let e = |code: &str| Event {
            error_code: Some(code.into()),
            ..Event::default()
        };
        assert!(c.matches(&e("AccessDenied")));
        assert!(c.matches(&e("AccessDeniedException")));
        assert!(!c.matches(&e("ThrottlingException")));
        assert!(!c.matches(&Event::default()));
        // A metric filter's `!=` matches when the field is absent.
        let login = category("console_login_without_mfa");
        let no_mfa_field = Event {
            user_type: Some("IAMUser".into()),
            console_login: Some("Success".into()),
            ..named("signin.amazonaws.com", "ConsoleLogin")
        };
        assert!(login.matches(&no_mfa_field));
        let failed = Event {
            console_login: Some("Failure".into()),
            ..no_mfa_field
        };
        assert!(!login.matches(&failed));
        let root = category("root_account_usage");
        let service = Event {
            user_type: Some("Root".into()),
            event_type: Some("AwsServiceEvent".into()),
            ..Event::default()
        };
        assert!(!root.matches(&service));
    }

    #[test]
    fn labels_are_unique_and_defaults_follow_the_issue() {
        let labels: std::collections::HashSet<_> = CATEGORIES.iter().map(|c| c.label).collect();
        assert_eq!(labels.len(), CATEGORIES.len());
        let critical: Vec<_> = CATEGORIES
            .iter()
            .filter(|c| c.default == Default::Critical)
            .map(|c| c.label)
            .collect();
        assert_eq!(
            critical,
            [
                "root_account_usage",
                "cloudtrail_changes",
                "cmk_disable_or_deletion",
                "aws_config_changes"
            ]
        );
    }

    #[test]
    fn home_regions_by_partition() {
        assert_eq!(home_region("eu-west-1"), "us-east-1");
        assert_eq!(home_region("cn-northwest-1"), "cn-north-1");
        assert_eq!(home_region("us-gov-east-1"), "us-gov-west-1");
    }
}
