//! `observer-<body>.html`: one printable sheet per plan body with expected
//! actions — the obligations to watch (unit, action, site, when it arises,
//! deadline, clause) and empty "time seen" and notes columns.

use maud::{DOCTYPE, PreEscaped, html};

use super::labels as lb;
use super::msel::CSS;
use super::{Package, minutes};
use crate::report::labels::fill;

/// Blank rows at the end of a sheet for actions outside the plan.
const BLANK_ROWS: usize = 5;

pub fn html(p: &Package, body: &str) -> Vec<u8> {
    let rows: Vec<_> = p
        .actions
        .iter()
        .filter(|a| p.task(a).body == body)
        .collect();
    let title = fill(p.t(lb::OBS_TITLE), &[("body", p.body_name(body))]);
    let clock = p.start().is_some();
    let page = html! {
        (DOCTYPE)
        html lang=(p.lang.tag()) {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.subtitle {
                        (fill(p.t(lb::OBS_SUBTITLE), &[("scenario", p.scenario_name.clone()), ("plan", p.rec.meta.plan_name.clone())]))
                        " · " (fill(p.t(lb::OBS_COUNT), &[("n", rows.len().to_string())]))
                        @if let Some(d) = p.drill_date { " · " (p.t(lb::F_DRILL_DATE)) " " (d.to_string()) }
                    }
                }
                div.fields {
                    div { (p.t(lb::OBS_OBSERVER)) "：" span {} }
                    div { (p.t(lb::OBS_PLACE)) "：" span {} }
                    div { (p.t(lb::OBS_SIGN)) "：" span {} }
                }
                p { (p.t(lb::OBS_HOWTO)) }
                table {
                    thead { tr {
                        th { (p.t(lb::H_NO)) } th { (p.t(lb::H_UNIT)) } th { (p.t(lb::H_ACTION)) }
                        th { (p.t(lb::H_SITE)) } th { (p.t(lb::H_ARISES)) } th { (p.t(lb::H_DUE)) }
                        @if clock { th { (p.t(lb::H_DUE_CLOCK)) } }
                        th { (p.t(lb::H_CLAUSE)) } th { (p.t(lb::H_SEEN)) } th { (p.t(lb::H_NOTES)) }
                    } }
                    tbody {
                        @for (k, a) in rows.iter().enumerate() {
                            @let t = p.task(a);
                            tr {
                                td class="num" { (k + 1) }
                                td { (p.node_name(t.unit)) }
                                td { (p.action_name(t)) }
                                td { (p.node_name(t.site)) }
                                td class="num" { (minutes(t.created)) }
                                td class="num" { (t.due.map(minutes).unwrap_or_else(|| p.t(lb::NO_DEADLINE).to_string())) }
                                @if clock { td class="nowrap" { (t.due.and_then(|d| p.clock(d)).unwrap_or_else(|| p.t(lb::NO_DEADLINE).to_string())) } }
                                td class="clause" { (t.clause.as_str()) }
                                td class="blank" {}
                                td class="blank" {}
                            }
                        }
                        @for k in 0..BLANK_ROWS {
                            tr {
                                td class="num muted" { (rows.len() + k + 1) }
                                td class="blank" {} td class="blank" {} td class="blank" {} td {} td {}
                                @if clock { td {} }
                                td {} td class="blank" {} td class="blank" {}
                            }
                        }
                    }
                }
                footer { (p.t(lb::FOOTER)) }
            }
        }
    };
    page.into_string().into_bytes()
}
