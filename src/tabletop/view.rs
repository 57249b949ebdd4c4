//! What the body the players play knows, read from the running world:
//! injects as they are told them, events at its own unit or done by it,
//! reports addressed to it, its own tasks and deadlines. Never the ground
//! truth (host counts, where the worm is) — except in [`truth`], which only
//! the facilitator sees.

use std::collections::BTreeSet;

use bevy_ecs::world::World;

use crate::engine::record::EventKind;
use crate::engine::response::{Response, Task, TaskId, TaskKind, TaskState};
use crate::engine::{RunRecord, TopoRes};
use crate::model::plan::{BodyId, Plan, ThreatKind};
use crate::model::scenario::InjectKind;
use crate::model::topology::{NodeId, Topology};
use crate::report::Lang;
use crate::report::names::Names;

/// The body the players play, at one unit or (no unit) wherever it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Me {
    pub body: BodyId,
    pub unit: Option<NodeId>,
}

impl Me {
    /// Whether `task` is this body's (at this unit).
    pub fn owns(&self, t: &Task) -> bool {
        t.body == self.body && self.unit.is_none_or(|u| t.unit == u)
    }

    /// Whether an event's `actor` (`unit body`) is this body (at this unit).
    fn acted(&self, topo: &Topology, plan: &Plan, actor: &str) -> bool {
        let Some((unit, body)) = actor.split_once(' ') else {
            return false;
        };
        body == plan.bodies[self.body].id
            && self.unit.is_none_or(|u| topo.nodes[u as usize].id == unit)
    }

    /// Whether `v` is this unit or below it (everything without a unit).
    pub fn covers(&self, topo: &Topology, v: NodeId) -> bool {
        let Some(u) = self.unit else {
            return true;
        };
        let mut x = Some(v);
        while let Some(n) = x {
            if n == u {
                return true;
            }
            x = topo.nodes[n as usize].parent;
        }
        false
    }
}

/// A node as players name it: `四川省局 (sc)`.
pub fn node_name(topo: &Topology, v: NodeId, lang: Lang) -> String {
    let n = &topo.nodes[v as usize];
    format!("{} ({})", lang.pick(&n.name_zh, &n.name_en), n.id)
}

/// A body's name in the language, with its id.
pub fn body_name(plan: &Plan, b: BodyId, lang: Lang) -> String {
    let x = &plan.bodies[b];
    format!("{} ({})", lang.pick(&x.name_zh, &x.name_en), x.id)
}

/// `HH:MM` elapsed from the start, and the calendar time.
pub fn when(rec: &RunRecord, minute: f64) -> String {
    let m = minute.max(0.0).round() as u64;
    let clock = crate::output::clock(&rec.start, m as f64);
    format!(
        "T+{:02}:{:02} {}",
        m / 60,
        m % 60,
        &clock[..clock.len().min(16)]
    )
}

/// Whether an inject is told to these players: a worm bulletin and a
/// disaster are news for everyone; a failure, a cut line or a power loss
/// only to the units it hits (and those above them).
pub fn inject_told(topo: &Topology, me: &Me, kind: &InjectKind) -> bool {
    match kind {
        InjectKind::Worm(_) | InjectKind::Disaster { .. } => true,
        InjectKind::LinkCut { link, .. } => {
            let l = &topo.links[*link as usize];
            me.covers(topo, l.a) || me.covers(topo, l.b)
        }
        InjectKind::NodeFailure { node, .. } => me.covers(topo, *node),
        InjectKind::PowerOutage { nodes, .. } => nodes.iter().any(|&v| me.covers(topo, v)),
        InjectKind::Intrusion(i) => me.covers(topo, i.entry),
        InjectKind::Defacement(d) => me.covers(topo, d.site),
        InjectKind::DenialOfService(d) => me.covers(topo, d.site),
        InjectKind::DataLeak(d) => me.covers(topo, d.site),
        InjectKind::Virus(v) => me.covers(topo, v.site),
        InjectKind::Insider(m) => me.covers(topo, m.site),
    }
}

/// The inject as the players are told it: what people on the ground see,
/// without counts the simulation keeps (initial infections, durations).
pub fn inject_text(topo: &Topology, me: &Me, kind: &InjectKind, lang: Lang) -> String {
    let names = |nodes: &[NodeId]| {
        let mine: Vec<String> = nodes
            .iter()
            .filter(|&&v| me.covers(topo, v))
            .take(5)
            .map(|&v| node_name(topo, v, lang))
            .collect();
        let more = nodes.iter().filter(|&&v| me.covers(topo, v)).count() - mine.len();
        let list = mine.join(lang.pick("、", ", "));
        match (more, lang) {
            (0, _) => list,
            (k, Lang::En) => format!("{list} and {k} more"),
            (k, Lang::Zh) => format!("{list}等 {} 处", k + 5),
        }
    };
    match (kind, lang) {
        (InjectKind::Intrusion(i), _) => {
            let n = node_name(topo, i.entry, lang);
            match lang {
                Lang::En => {
                    format!("Alerts of unusual access to the internet-facing service at {n}.")
                }
                Lang::Zh => format!("{n} 互联网服务出现异常访问告警。"),
            }
        }
        (InjectKind::Defacement(d), _) => {
            let n = node_name(topo, d.site, lang);
            match lang {
                Lang::En => format!("Reports that the website of {n} shows content it should not."),
                Lang::Zh => format!("有人反映 {n} 的网站出现不应有的内容。"),
            }
        }
        (InjectKind::DenialOfService(d), _) => {
            let n = node_name(topo, d.site, lang);
            match lang {
                Lang::En => format!(
                    "Taxpayers report that online filing at {n} is slow or will not open; the gateway shows unusual traffic."
                ),
                Lang::Zh => format!("纳税人反映 {n} 网上申报打不开或很慢，网关流量异常。"),
            }
        }
        (InjectKind::DataLeak(d), _) => {
            let n = node_name(topo, d.site, lang);
            match lang {
                Lang::En => format!(
                    "Leads that taxpayer records from the data centre of {n} are circulating outside."
                ),
                Lang::Zh => format!("有线索显示 {n} 数据中心的纳税人信息在外流传。"),
            }
        }
        (InjectKind::Virus(v), _) => {
            let n = node_name(topo, v.site, lang);
            match lang {
                Lang::En => {
                    format!("Office computers at {n} lose files; the antivirus raises alerts.")
                }
                Lang::Zh => format!("{n} 有办公电脑文件丢失，杀毒软件报警。"),
            }
        }
        (InjectKind::Insider(m), _) => {
            let n = node_name(topo, m.site, lang);
            match lang {
                Lang::En => format!("An audit at {n} shows signs of a rule being broken."),
                Lang::Zh => format!("审计发现 {n} 有违规操作的迹象。"),
            }
        }
        (InjectKind::Worm(w), Lang::En) => format!(
            "Security bulletin: a network worm ({}) is spreading on the internet. Watch for scanning traffic and slow hosts.",
            w.name
        ),
        (InjectKind::Worm(w), Lang::Zh) => format!(
            "安全通报：网络蠕虫（{}）正在互联网上传播，请注意异常扫描流量和主机变慢。",
            w.name
        ),
        (InjectKind::LinkCut { link, .. }, _) => {
            let l = &topo.links[*link as usize];
            let (a, b) = (node_name(topo, l.a, lang), node_name(topo, l.b, lang));
            match lang {
                Lang::En => format!("The line between {a} and {b} has gone down."),
                Lang::Zh => format!("{a} 与 {b} 之间的线路中断。"),
            }
        }
        (InjectKind::NodeFailure { node, .. }, _) => {
            let n = node_name(topo, *node, lang);
            match lang {
                Lang::En => format!("The core router at {n} has failed; the site does not answer."),
                Lang::Zh => format!("{n} 核心路由器故障，站点无法连通。"),
            }
        }
        (
            InjectKind::PowerOutage {
                nodes,
                backup_power,
                ..
            },
            _,
        ) => {
            let n = names(nodes);
            match (lang, backup_power) {
                (Lang::En, true) => format!(
                    "Mains power is lost at {n}; the data centre runs on UPS and generator."
                ),
                (Lang::En, false) => format!("Mains power is lost at {n}; the site has gone dark."),
                (Lang::Zh, true) => format!("{n} 市电中断，机房由 UPS 和发电机供电。"),
                (Lang::Zh, false) => format!("{n} 市电中断，站点断电。"),
            }
        }
        (InjectKind::Disaster { nodes, .. }, _) => {
            let mut provs: Vec<String> = nodes
                .iter()
                .filter_map(|&v| topo.nodes[v as usize].province)
                .collect::<BTreeSet<u16>>()
                .into_iter()
                .map(|p| {
                    let p = &topo.provinces[p as usize];
                    lang.pick(&p.name_zh, &p.name_en).to_string()
                })
                .collect();
            provs.truncate(6);
            let p = provs.join(lang.pick("、", ", "));
            match lang {
                Lang::En => format!(
                    "News: a disaster (earthquake, flood or fire) has struck {p}; bureaus there may be damaged."
                ),
                Lang::Zh => {
                    format!("新闻：{p} 发生灾害（地震、洪水或火灾），当地税务机关可能受损。")
                }
            }
        }
    }
}

/// What the view has already shown.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Record events looked at (the list only grows during a run).
    pub events: usize,
    /// Tasks of this body already announced.
    pub tasks: BTreeSet<TaskId>,
    /// Reports to this body already announced.
    pub reports: BTreeSet<TaskId>,
    /// Sites whose worm alerts were already announced.
    pub alerts: BTreeSet<NodeId>,
}

/// The body that watches the network (the engine's choice: information
/// centre, else technical support, else the emergency office).
pub fn monitor(plan: &Plan) -> Option<BodyId> {
    use crate::model::plan::BodyRole as R;
    plan.body(R::InformationCentre)
        .or_else(|| plan.body(R::TechnicalSupport))
        .or_else(|| plan.body(R::EmergencyOffice))
}

/// Event kinds a body sees at its own unit (the site it sits in).
fn seen_at_unit(k: EventKind) -> bool {
    use EventKind as K;
    matches!(
        k,
        K::NodeDown | K::NodeUp | K::OnBackupPower | K::LinkCut | K::Failover | K::Failback
    )
}

/// Event kinds a body sees when it is the actor (its own work and what it noticed).
fn seen_as_actor(k: EventKind) -> bool {
    use EventKind as K;
    matches!(
        k,
        K::Detection
            | K::IncidentOpened
            | K::Report
            | K::Grading
            | K::Activation
            | K::StepFinish
            | K::CallOut
            | K::Deviation
    )
}

/// A task's name in the language.
pub fn task_name(names: &Names, resp: &Response, id: TaskId) -> String {
    let t = &resp.tasks[id];
    let (kind, source) = match t.kind {
        TaskKind::Report { .. } => ("report", String::new()),
        TaskKind::Grade => ("grade", String::new()),
        TaskKind::Activate { .. } => ("activate", String::new()),
        TaskKind::Step { source, .. } => ("step", source.label()),
    };
    names.task(kind, &resp.task_name(id), &source)
}

/// New things this body learned since `seen`, one line each, in time order.
pub fn news(world: &World, me: &Me, seen: &mut Seen, lang: Lang) -> Vec<(f64, String)> {
    let topo = &world.resource::<TopoRes>().0;
    let rec = world.resource::<RunRecord>();
    let names = Names::new(rec, lang);
    let mut out: Vec<(f64, String)> = Vec::new();
    let Some(resp) = world.get_resource::<Response>() else {
        return Vec::new();
    };
    let plan = &resp.plan;
    for e in &rec.events[seen.events.min(rec.events.len())..] {
        let at_unit = me.unit.is_some() && e.node == me.unit && seen_at_unit(e.kind);
        let mine = seen_as_actor(e.kind) && me.acted(topo, plan, &e.actor);
        if at_unit || mine {
            let site = e
                .node
                .map(|v| format!("{}: ", node_name(topo, v, lang)))
                .unwrap_or_default();
            out.push((
                e.minute,
                format!("[{}] {site}{}", when(rec, e.minute), names.detail(e)),
            ));
        }
    }
    seen.events = rec.events.len();
    // The monitoring body sees the worm's symptoms at its own site (every
    // site when it plays everywhere): the cue for `detect`. No counts.
    if monitor(plan) == Some(me.body)
        && let w = world.resource::<crate::engine::worm::WormRes>()
        && let Some(first) = w.0.as_ref()
    {
        let clock = world.resource::<crate::engine::Clock>().now;
        let sites: Vec<NodeId> = match me.unit {
            Some(u) => vec![u],
            None => (0..first.i.len() as NodeId).collect(),
        };
        let new: Vec<NodeId> = sites
            .into_iter()
            .filter(|&v| w.i_at(v as usize) > 0 && !seen.alerts.contains(&v))
            .collect();
        if !new.is_empty() {
            seen.alerts.extend(new.iter().copied());
            let shown: Vec<String> = new
                .iter()
                .take(5)
                .map(|&v| node_name(topo, v, lang))
                .collect();
            let more = new.len() - shown.len();
            let list = shown.join(lang.pick("、", ", "));
            let first = &topo.nodes[new[0] as usize].id;
            out.push((
                clock,
                match lang {
                    Lang::En => format!(
                        "[{}] ALERT: scanning traffic and hosts behaving like the worm at {list}{} (`detect at {first}`)",
                        when(rec, clock),
                        if more > 0 { format!(" and {more} more site(s)") } else { String::new() }
                    ),
                    Lang::Zh => format!(
                        "[{}] 告警：{list}{} 出现异常扫描流量和疑似蠕虫感染主机（命令 `detect at {first}`）",
                        when(rec, clock),
                        if more > 0 { format!("等 {} 个站点", new.len()) } else { String::new() }
                    ),
                },
            ));
        }
    }
    // Every other threat with symptoms (intrusion alerts, a defaced site,
    // a unit down or cut off): the monitoring body sees them at its own
    // site, or at a site just below it that is down (as the engine's
    // observer); the cue for `detect at SITE`. No counts.
    if monitor(plan) == Some(me.body) {
        let net = world.resource::<crate::engine::Net>();
        let clock = world.resource::<crate::engine::Clock>().now;
        let mut new: Vec<(NodeId, ThreatKind)> = resp
            .watched()
            .map(|(v, inc)| (v, resp.incidents[inc].threat))
            .filter(|&(_, k)| k != ThreatKind::Worm)
            .filter(|&(v, _)| {
                let observer = if net.alive(v) {
                    v
                } else {
                    topo.nodes[v as usize].parent.unwrap_or(v)
                };
                me.unit.is_none_or(|u| u == observer)
            })
            .collect();
        new.sort_by_key(|&(v, _)| v);
        new.dedup_by_key(|x| x.0);
        for (v, kind) in new {
            if !seen.alerts.insert(v) {
                continue;
            }
            let site = node_name(topo, v, lang);
            let id = &topo.nodes[v as usize].id;
            let what = match (kind, lang) {
                (ThreatKind::Intrusion, Lang::En) => {
                    format!("intrusion-detection alerts of unusual access at {site}")
                }
                (ThreatKind::Intrusion, Lang::Zh) => format!("{site} 入侵检测出现异常访问告警"),
                (ThreatKind::Defacement | ThreatKind::HarmfulContent, Lang::En) => {
                    format!("reports that the website of {site} shows content it should not")
                }
                (ThreatKind::Defacement | ThreatKind::HarmfulContent, Lang::Zh) => {
                    format!("有人反映 {site} 的网站出现不应有的内容")
                }
                (ThreatKind::DenialOfService, Lang::En) => {
                    format!(
                        "online filing at {site} is slow or will not open; unusual gateway traffic"
                    )
                }
                (ThreatKind::DenialOfService, Lang::Zh) => {
                    format!("{site} 网上申报缓慢或无法打开，网关流量异常")
                }
                (ThreatKind::DataLeak, Lang::En) => {
                    format!("leads that taxpayer records of {site} are circulating outside")
                }
                (ThreatKind::DataLeak, Lang::Zh) => {
                    format!("有线索显示 {site} 的纳税人信息在外流传")
                }
                (ThreatKind::Virus, Lang::En) => {
                    format!("antivirus alerts and users losing files at {site}")
                }
                (ThreatKind::Virus, Lang::Zh) => format!("{site} 杀毒软件报警，有用户文件丢失"),
                (ThreatKind::Insider, Lang::En) => {
                    format!("an audit finding of a rule being broken at {site}")
                }
                (ThreatKind::Insider, Lang::Zh) => format!("审计发现 {site} 有违规操作"),
                (_, Lang::En) => format!("{site} is down or cut off (no answer from its systems)"),
                (_, Lang::Zh) => format!("{site} 系统无响应（宕机或网络中断）"),
            };
            out.push((
                clock,
                match lang {
                    Lang::En => format!("[{}] ALERT: {what} (`detect at {id}`)", when(rec, clock)),
                    Lang::Zh => format!(
                        "[{}] 告警：{what}（命令 `detect at {id}`）",
                        when(rec, clock)
                    ),
                },
            ));
        }
    }
    for t in &resp.tasks {
        // Reports addressed to this body (at this unit) that have arrived.
        if let TaskKind::Report { rule, to: Some(to) } = t.kind
            && t.state == TaskState::Done
            && plan.reporting[rule].to_body == me.body
            && me.unit.is_none_or(|u| u == to)
            && seen.reports.insert(t.id)
        {
            let m = t.finished.unwrap_or(0.0);
            let from = node_name(topo, t.unit, lang);
            let what = task_name(&names, resp, t.id);
            out.push((
                m,
                match lang {
                    Lang::En => format!(
                        "[{}] report received from {from}: {what}, incident {}",
                        when(rec, m),
                        t.incident + 1
                    ),
                    Lang::Zh => format!(
                        "[{}] 收到 {from} 的{what}（事件 {}）",
                        when(rec, m),
                        t.incident + 1
                    ),
                },
            ));
        }
        if me.owns(t) && open(t) && seen.tasks.insert(t.id) {
            out.push((
                t.created,
                format!(
                    "[{}] {}",
                    when(rec, t.created),
                    new_task_line(topo, &names, resp, t, lang)
                ),
            ));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Not done, skipped or out of the run.
pub fn open(t: &Task) -> bool {
    matches!(
        t.state,
        TaskState::Waiting | TaskState::Ready | TaskState::Running
    )
}

fn new_task_line(topo: &Topology, names: &Names, resp: &Response, t: &Task, lang: Lang) -> String {
    let topo_site = node_name(topo, t.site, lang);
    let what = task_name(names, resp, t.id);
    let due = t
        .due
        .map(|d| match lang {
            Lang::En => format!(", due {}", when(names.rec, d)),
            Lang::Zh => format!("，时限 {}", when(names.rec, d)),
        })
        .unwrap_or_default();
    match lang {
        Lang::En => format!(
            "new task: {what} at {topo_site}{due} (`{}`)",
            command_for(topo, resp, t)
        ),
        Lang::Zh => format!(
            "新任务：{what}（{topo_site}）{due}（命令 `{}`）",
            command_for(topo, resp, t)
        ),
    }
}

/// The command that does a task.
pub fn command_for(topo: &Topology, resp: &Response, t: &Task) -> String {
    match t.kind {
        TaskKind::Report { .. } => "report".into(),
        TaskKind::Grade => "grade LEVEL".into(),
        TaskKind::Activate { level } => format!("activate {}", level.as_str()),
        TaskKind::Step { .. } => format!(
            "do {} at {}",
            resp.task_name(t.id),
            topo.nodes[t.site as usize].id
        ),
    }
}

/// The body's tasks: open ones first (by deadline), then done ones.
pub fn tasks(world: &World, me: &Me, now: f64, lang: Lang) -> Vec<String> {
    let topo = &world.resource::<TopoRes>().0;
    let rec = world.resource::<RunRecord>();
    let names = Names::new(rec, lang);
    let Some(resp) = world.get_resource::<Response>() else {
        return Vec::new();
    };
    let mut mine: Vec<&Task> = resp.tasks.iter().filter(|t| me.owns(t)).collect();
    // Open ones by deadline, then finished ones by when they finished.
    let key = |t: &Task| {
        if open(t) {
            (false, t.due.unwrap_or(f64::INFINITY), t.id)
        } else {
            (true, t.finished.unwrap_or(f64::INFINITY), t.id)
        }
    };
    mine.sort_by(|a, b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out = Vec::new();
    for t in mine {
        let what = task_name(&names, resp, t.id);
        let site = &topo.nodes[t.site as usize].id;
        let state = match (t.state, lang) {
            (TaskState::Done, Lang::En) => format!("done {}", when(rec, t.finished.unwrap_or(0.0))),
            (TaskState::Done, Lang::Zh) => {
                format!("已完成 {}", when(rec, t.finished.unwrap_or(0.0)))
            }
            (TaskState::Skipped, _) => lang.pick("未执行", "not done").into(),
            (TaskState::NotDue, _) => lang.pick("未到期", "not due").into(),
            (TaskState::Running, _) => lang.pick("进行中", "under way").into(),
            (TaskState::Waiting, _) => lang
                .pick("等待前序步骤", "waiting for earlier steps")
                .into(),
            (TaskState::Ready, _) => lang.pick("待办", "to do").into(),
        };
        let due = match (t.due, open(t)) {
            (Some(d), true) if d < now => match lang {
                Lang::En => format!(" — OVERDUE since {}", when(rec, d)),
                Lang::Zh => format!(" — 已超时（时限 {}）", when(rec, d)),
            },
            (Some(d), true) => match lang {
                Lang::En => format!(" — due {} ({} min left)", when(rec, d), (d - now).floor()),
                Lang::Zh => format!(" — 时限 {}（剩 {} 分钟）", when(rec, d), (d - now).floor()),
            },
            _ => String::new(),
        };
        let cmd = if open(t) {
            format!("  `{}`", command_for(topo, resp, t))
        } else {
            String::new()
        };
        out.push(format!(
            "#{} {what} @ {site}, {}{}: {state}{due}{cmd}",
            t.id,
            lang.pick("事件", "incident "),
            t.incident + 1
        ));
    }
    out
}

/// What the unit knows of each incident: when it learned, its own and the
/// highest grade it knows of, the activations it made or heard of.
pub fn status(world: &World, me: &Me, now: f64, lang: Lang) -> Vec<String> {
    let rec = world.resource::<RunRecord>();
    let Some(resp) = world.get_resource::<Response>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, inc) in resp.incidents.iter().enumerate() {
        let learned = match me.unit {
            Some(u) => inc.knows.get(u as usize).copied().filter(|m| !m.is_nan()),
            None => inc.opened,
        };
        let Some(learned) = learned else {
            continue;
        };
        let class = &resp.plan.classes[inc.class];
        let mut line = match lang {
            Lang::En => format!(
                "incident {}: {} — known since {}",
                k + 1,
                class.name_en,
                when(rec, learned)
            ),
            Lang::Zh => format!(
                "事件 {}：{} — {} 获悉",
                k + 1,
                class.name_zh,
                when(rec, learned)
            ),
        };
        if let Some(u) = me.unit
            && inc.ended.is_none()
        {
            let topo = &world.resource::<TopoRes>().0;
            let net = world.resource::<crate::engine::Net>();
            let worm = world.resource::<crate::engine::worm::WormRes>();
            let f = resp.facts(k, u, now, topo, net, worm);
            line.push_str(&facts_text(&f, lang));
        }
        if let Some(u) = me.unit
            && let Some((l, _)) = inc.graded.get(&u)
        {
            line.push_str(&match lang {
                Lang::En => format!("; your unit graded it level {}", l.as_str()),
                Lang::Zh => format!("；本单位定为 {} 级", l.roman()),
            });
        }
        let acts: Vec<String> = inc
            .activated
            .iter()
            .filter(|(_, u, _)| me.unit.is_none_or(|m| m == *u))
            .map(|(l, _, m)| format!("{} @ {}", l.as_str(), when(rec, *m)))
            .collect();
        if !acts.is_empty() {
            line.push_str(&match lang {
                Lang::En => format!("; response started here: {}", acts.join(", ")),
                Lang::Zh => format!("；本单位已启动响应：{}", acts.join("，")),
            });
        }
        if inc.ended.is_some() {
            line.push_str(lang.pick("；响应已结束", "; response ended"));
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(
            lang.pick(
                "本单位尚未获悉任何事件。",
                "Your unit knows of no incident yet.",
            )
            .into(),
        );
    }
    let open_tasks = resp.tasks.iter().filter(|t| me.owns(t) && open(t)).count();
    out.push(match lang {
        Lang::En => format!("{open_tasks} open task(s): `tasks` lists them"),
        Lang::Zh => format!("{open_tasks} 项待办任务：`tasks` 列出"),
    });
    out
}

/// The facts a unit grades on (what the reports that reached it say).
fn facts_text(f: &crate::model::plan::Facts, lang: Lang) -> String {
    let tier = f.highest_tier.map(|t| t.as_str()).unwrap_or("-");
    match lang {
        Lang::En => format!(
            "; reported to your unit: {} site(s) in {} province(s), highest tier {tier}, {} service(s) down (longest {:.1} h), {} infected host(s) reported",
            f.nodes_affected,
            f.provinces_affected,
            f.services_down,
            f.service_down_hours,
            f.hosts_infected
        ),
        Lang::Zh => format!(
            "；本单位掌握：{} 个站点、{} 个省份，最高层级 {}，{} 项业务中断（最长 {:.1} 小时），报告感染主机 {} 台",
            f.nodes_affected,
            f.provinces_affected,
            f.highest_tier.map(|t| t.zh()).unwrap_or("-"),
            f.services_down,
            f.service_down_hours,
            f.hosts_infected
        ),
    }
}

/// The next deadline of this body's open tasks after `now`.
pub fn next_deadline(world: &World, me: &Me, now: f64) -> Option<f64> {
    let resp = world.get_resource::<Response>()?;
    resp.tasks
        .iter()
        .filter(|t| me.owns(t) && open(t))
        .filter_map(|t| t.due)
        .filter(|&d| d > now + 1e-9)
        .min_by(|a, b| a.total_cmp(b))
}

/// The ground truth, for the facilitator only: the network's state at the
/// end of the last tick and where the worm is.
pub fn truth(world: &World, lang: Lang) -> Vec<String> {
    let topo = &world.resource::<TopoRes>().0;
    let rec = world.resource::<RunRecord>();
    let Some(row) = rec.timeline.last() else {
        return Vec::new();
    };
    let mut out = vec![match lang {
        Lang::En => format!(
            "TRUTH: {} hosts infected, {} node(s) affected, {} down, {} cut off from HQ, {} line(s) saturated, services {:.1}% available",
            row.hosts_infected,
            row.nodes_affected,
            row.nodes_down,
            row.nodes_cut_off,
            row.links_saturated,
            row.services_available_pct
        ),
        Lang::Zh => format!(
            "真实态势：感染主机 {}，受影响节点 {}，宕机 {}，与总局失联 {}，拥塞线路 {}，业务可用 {:.1}%",
            row.hosts_infected,
            row.nodes_affected,
            row.nodes_down,
            row.nodes_cut_off,
            row.links_saturated,
            row.services_available_pct
        ),
    }];
    let worms = world.resource::<crate::engine::worm::WormRes>();
    if let Some(w) = worms.0.as_ref() {
        let mut top: Vec<(u32, NodeId)> = (0..w.i.len())
            .map(|v| (worms.i_at(v), v as NodeId))
            .filter(|&(i, _)| i > 0)
            .collect();
        let nodes = top.len();
        top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let list: Vec<String> = top
            .iter()
            .take(5)
            .map(|&(i, v)| format!("{} {i}", topo.nodes[v as usize].id))
            .collect();
        if nodes > 0 {
            out.push(match lang {
                Lang::En => format!(
                    "TRUTH: worm at {nodes} node(s); most infected: {}",
                    list.join(", ")
                ),
                Lang::Zh => format!(
                    "真实态势：蠕虫位于 {nodes} 个节点；感染最多：{}",
                    list.join("，")
                ),
            });
        }
    }
    out
}
