//! The report of a real drill (`drillsim assess`): its title, and the
//! section on the drill log — which log, how many rows, what they came to,
//! and the logged actions the plan did not call for (deviations). A pure
//! function of the record (`RunRecord::drill` and its `deviation` events).

use super::Ctx;
use super::content::{Block, Cell, Section, Table};
use super::labels::{L, fill};
use crate::engine::record::EventKind;

pub const TITLE: L = L(
    "网络安全应急演练评估报告（实际演练）",
    "Network-security incident-response drill: assessment of a real drill",
);
pub const SUBTITLE: L = L(
    "依据演练记录评估的事后评估报告与改进计划（AAR/IP）",
    "After-Action Report / Improvement Plan (AAR/IP) from the drill log",
);
const SEC: L = L("演练记录", "The drill log");
const PARA: L = L(
    "本报告评估的是一次实际演练，而非模拟队伍：依据演练记录「{log}」（{rows} 行，{actions} 项行动）重放情景（随机种子 {seed}），威胁照常演化，每项行动在记录时刻生效，记录中没有的行动视为未执行。其中 {applied} 项对应预案要求的任务（{early} 项早于预案要求记录、在任务产生时计入；{wrong} 项由预案未指定的单位或机构执行，记为“主体错误”）；{dev} 项不在预案的响应之内。下表列出这些偏离，以及早于预案要求记录和由其他主体执行的行动。义务与结果的评分方法与模拟演练完全相同。",
    "This report assesses a real drill, not simulated teams: the scenario was replayed (seed {seed}) with the drill log \"{log}\" ({rows} rows, {actions} actions) as the decisions; the threat evolved as usual, each action took effect at its logged time, and what the log does not record was not done. {applied} actions did what the plan called for ({early} logged before the plan called for them, counted when their task existed; {wrong} by a unit or body the plan does not name for the task, scored wrong actor); {dev} are not in the plan's response. The table lists these deviations, and the actions logged early or done by another actor. Obligations and outcomes are scored exactly as for a simulated run.",
);
const CONTROL_ONLY: L = L(
    "记录只代表 {who} 决策，其余机构由模拟队伍执行。",
    "The log decided for {who} only; the simulated teams played every other body.",
);
const NO_DEV: L = L(
    "演练记录中的每项行动都对应预案的要求。",
    "Every logged action matched something the plan called for.",
);
const PLAYERS_ALL: L = L(
    "说明：本次演练由真人参演。各单位、各机构的每项行动（发现、报告、定级、启动响应、处置步骤）均取自演练记录；只有威胁和网络的演化是模拟的。因此本报告评估的是参演人员按预案的实际表现。",
    "Note: this exercise was played by real people. Every action of every unit and body (detection, reports, grading, activation, procedure steps) is taken from the drill log; only the threat and the network are simulated. The report therefore assesses how the players carried out the plan.",
);
const PLAYERS_ONLY: L = L(
    "说明：{who} 的行动由真人决定（演练记录或桌面推演指令）；其余单位和机构由 drillsim 的班组模型按班组文件模拟。",
    "Note: the actions of {who} were decided by real players (drill log or tabletop commands); every other unit and body was simulated by drillsim's team model from the teams file.",
);
const SIGN_OFF: L = L(
    "本报告依据演练记录自动生成。其中的评定是评分规则的计算结果，经评估人审核并签署、审批人批准后方构成正式评估意见。",
    "This report was generated automatically from the drill log. Its ratings are the result of the scoring rules, and become the assessment only once an assessor has reviewed and signed them and an approver has approved them.",
);

/// Who played, for the overview (None for a simulated run).
pub fn players_note(ctx: &Ctx) -> Option<String> {
    let d = ctx.rec.drill.as_ref()?;
    Some(if d.control == "all" {
        ctx.t(PLAYERS_ALL).to_string()
    } else {
        fill(ctx.t(PLAYERS_ONLY), &[("who", d.control.clone())])
    })
}

/// The sign-off note (None for a simulated run).
pub fn sign_off_note(ctx: &Ctx) -> Option<String> {
    ctx.rec.drill.as_ref().map(|_| ctx.t(SIGN_OFF).to_string())
}

const H_TIME: L = L("时间", "Time");
const H_ACTOR: L = L("单位 · 机构", "Unit · body");
const H_DETAIL: L = L("记录与原因", "Logged action and why");

/// The drill log section (None for a simulated run).
pub fn section(ctx: &Ctx) -> Option<Section> {
    let d = ctx.rec.drill.as_ref()?;
    let mut blocks = vec![Block::Para(fill(
        ctx.t(PARA),
        &[
            ("log", d.log.clone()),
            ("rows", d.rows.to_string()),
            ("actions", d.actions.to_string()),
            ("seed", ctx.rec.seed.to_string()),
            ("applied", d.applied.to_string()),
            ("early", d.early.to_string()),
            ("wrong", d.wrong_actor.to_string()),
            ("dev", d.deviations.to_string()),
        ],
    ))];
    if d.control != "all" {
        blocks.push(Block::Para(fill(
            ctx.t(CONTROL_ONLY),
            &[("who", d.control.clone())],
        )));
    }
    let rows: Vec<Vec<Cell>> = ctx
        .rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Deviation)
        .map(|e| {
            vec![
                Cell::from(ctx.clock(e.minute)),
                Cell::from(ctx.actor(&e.actor)),
                Cell::from(ctx.names().detail(e)),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Para(ctx.t(NO_DEV).to_string()));
    } else {
        blocks.push(Block::Table(Table {
            head: vec![
                ctx.t(H_TIME).to_string(),
                ctx.t(H_ACTOR).to_string(),
                ctx.t(H_DETAIL).to_string(),
            ],
            rows,
        }));
    }
    if let Some(cf) = &d.counterfactuals {
        counterfactuals(ctx, cf, &mut blocks);
    }
    Some(Section {
        id: "drill",
        title: ctx.t(SEC).to_string(),
        blocks,
    })
}

const CF_HEAD: L = L("反事实比较", "Counterfactuals");
const CF_PARA: L = L(
    "同一情景在随机种子 {first}–{last}（{runs} 次）下分别按以下三种方式重放：（a）按演练记录的时间；（b）完全按预案执行（模拟队伍、理想准备程度：无偏离、按中位时长）；（c）按班组文件的模拟队伍。差值为按种子配对的平均差及其 90% 置信区间。（b）（c）中的发现时间由模拟队伍的发现模型随机产生，发现早于模拟的演练记录可能优于两者。",
    "The same scenario over seeds {first}–{last} ({runs} runs), (a) with the logged timings, (b) with the plan followed exactly (simulated teams at perfect readiness: no deviations, median durations), (c) with the simulated teams of the teams file. Differences are means of per-seed paired differences with their 90% confidence intervals. In (b) and (c) detection comes by chance from the simulated teams' detection model, so a drill that detected earlier can do better than both.",
);
const CF_METRIC: L = L("指标", "Metric");
const CF_LOGGED: L = L("（a）演练记录", "(a) Logged");
const CF_PLAN: L = L("（b）按预案", "(b) Plan followed");
const CF_SIM: L = L("（c）模拟队伍", "(c) Simulated teams");
const CF_MINUS_PLAN: L = L("（a）−（b）", "(a) − (b)");
const CF_MINUS_SIM: L = L("（a）−（c）", "(a) − (c)");
const CF_COSTS: L = L(
    "逐项偏离的代价（迟到的行动：将该项移至其时限重放；缺失的行动：在其时限补做后重放），迟到与缺失一并按代价从高到低排列：",
    "What each deviation cost — a late action replayed moved to its deadline, a missing one replayed done at its deadline — late and missing ranked together, costliest first:",
);
const CF_COST_LINE: L = L(
    "【迟到】第 {row} 行 {task}（{site}）迟到 {late}：感染主机多 {hosts}（90% 区间 {hosts_ci}），服务中断多 {hours} 服务·小时（90% 区间 {hours_ci}）",
    "[late] row {row}, {task} at {site} {late} late: {hosts} more infected hosts (90% interval {hosts_ci}), {hours} more service-hours lost (90% interval {hours_ci})",
);
const CF_MISSING_LINE: L = L(
    "【缺失】{task}（{site}，时限第 {due} 分钟）未做：感染主机多 {hosts}（90% 区间 {hosts_ci}），服务中断多 {hours} 服务·小时（90% 区间 {hours_ci}）",
    "[missing] {task} at {site} (due at minute {due}) never done: {hosts} more infected hosts (90% interval {hosts_ci}), {hours} more service-hours lost (90% interval {hours_ci})",
);
const CF_NO_LATE: L = L(
    "演练记录中没有迟于时限完成或缺失的行动。",
    "No logged action was done after its deadline, and none the plan owed is missing.",
);

fn metric_label(key: &str) -> L {
    match key {
        "total_infected_hosts" => L("累计感染主机", "Hosts infected in all"),
        "service_hours_lost" => L("服务中断（服务·小时）", "Service-hours lost"),
        "taxpayer_service_hours_lost" => {
            L("纳税人服务中断（服务·小时）", "Taxpayer service-hours lost")
        }
        "compliance_pct" => L("义务履行率 %", "Compliance %"),
        _ => L("指标", "Metric"),
    }
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn with_ci(d: &crate::engine::record::Diff) -> String {
    match d.1 {
        Some((l, h)) => format!("{} ({} … {})", num(d.0), num(l), num(h)),
        None => num(d.0),
    }
}

fn ci(d: &crate::engine::record::Diff) -> String {
    match d.1 {
        Some((l, h)) => format!("{} … {}", num(l), num(h)),
        None => "—".into(),
    }
}

fn counterfactuals(
    ctx: &Ctx,
    cf: &crate::engine::record::Counterfactuals,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(ctx.t(CF_HEAD).to_string()));
    blocks.push(Block::Para(fill(
        ctx.t(CF_PARA),
        &[
            ("first", cf.first_seed.to_string()),
            (
                "last",
                cf.first_seed
                    .wrapping_add(cf.runs.saturating_sub(1))
                    .to_string(),
            ),
            ("runs", cf.runs.to_string()),
        ],
    )));
    let arm = |name: &str, m: usize| {
        cf.arms
            .iter()
            .find(|a| a.0 == name)
            .and_then(|a| a.1.get(m))
            .map_or(String::new(), |&x| num(x))
    };
    let minus = |name: &str, m: usize| {
        cf.logged_minus
            .iter()
            .find(|a| a.0 == name)
            .and_then(|a| a.1.get(m))
            .map_or(String::new(), with_ci)
    };
    let rows = cf
        .metrics
        .iter()
        .enumerate()
        .map(|(m, key)| {
            vec![
                Cell::from(ctx.t(metric_label(key))),
                Cell::from(arm("logged", m)),
                Cell::from(arm("plan", m)),
                Cell::from(arm("simulated", m)),
                Cell::from(minus("plan", m)),
                Cell::from(minus("simulated", m)),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        head: [
            CF_METRIC,
            CF_LOGGED,
            CF_PLAN,
            CF_SIM,
            CF_MINUS_PLAN,
            CF_MINUS_SIM,
        ]
        .iter()
        .map(|l| ctx.t(*l).to_string())
        .collect(),
        rows,
    }));
    if cf.costs.is_empty() {
        blocks.push(Block::Para(ctx.t(CF_NO_LATE).to_string()));
        return;
    }
    blocks.push(Block::Para(ctx.t(CF_COSTS).to_string()));
    blocks.push(Block::Bullets(
        cf.costs
            .iter()
            .map(|c| {
                fill(
                    ctx.t(if c.missing {
                        CF_MISSING_LINE
                    } else {
                        CF_COST_LINE
                    }),
                    &[
                        ("due", num(c.due)),
                        ("row", c.row.to_string()),
                        ("task", ctx.names().task(&c.kind, &c.task, &c.source)),
                        ("site", ctx.node_name(&c.site)),
                        ("late", ctx.duration(c.logged - c.due)),
                        ("hosts", num(c.infected_hosts.0)),
                        ("hosts_ci", ci(&c.infected_hosts)),
                        ("hours", num(c.service_hours.0)),
                        ("hours_ci", ci(&c.service_hours)),
                    ],
                )
            })
            .collect(),
    ));
}
