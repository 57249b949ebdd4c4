//! Names and event details in the report's language.
//!
//! The record keeps machine keys (step ids, actions, body and node ids) and
//! event details written by the engine from fixed English templates; the
//! report shows them here, in Chinese or English:
//!
//! - a step or level duty by the name the plan file gives it (`name_zh` /
//!   `name_en`, carried in `RunMeta::steps`), else by its action's label —
//!   never by its id;
//! - a report hop, grading or activation by a fixed label;
//! - an event's detail (Chinese reports only) by matching it against the
//!   engine's templates ([`TEMPLATES`]) and filling the Chinese template;
//!   every captured value goes through [`Names::term`] (node, body, step,
//!   class ids, tiers, colours, actions → names), so no id reaches the body.
//!   A detail no template matches keeps its English words with the ids
//!   replaced. `tests/zh.rs` renders every bundled scenario in Chinese and
//!   fails on any snake_case identifier left in the body.

use super::Ctx;
use super::labels::{L, Lang, tier};
use crate::engine::RunRecord;
use crate::engine::record::Event;

/// A step action's name (`StepAction::as_str` keys).
pub fn action(a: &str) -> Option<L> {
    Some(match a {
        "isolate" => L("隔离受感染主机", "isolate infected hosts"),
        "disconnect_site" => L("站点断网", "take the site off the WAN"),
        "cut_attack_source" => L("断开攻击源", "cut off the attack source"),
        "block_at_gateways" => L("网关阻断", "block at the gateways"),
        "clean" => L("清除病毒", "remove the malware"),
        "patch" => L("安装补丁", "install patches"),
        "restore_data" => L("数据恢复", "restore data"),
        "rebuild" => L("重建系统", "rebuild systems"),
        "repair" => L("抢修设备", "repair equipment"),
        "switch_to_backup" => L("切换备用线路", "switch to the backup line"),
        "restore_service" => L("恢复服务", "restore services"),
        "trace_source" => L("追查攻击来源", "trace the source"),
        "take_down_content" => L("删除有害内容", "take down content"),
        "notify_users" => L("通报用户", "notify users"),
        "investigate" => L("调查取证", "investigate"),
        "evaluate" => L("事后评估", "evaluate"),
        "summary_report" => L("总结报告", "summary report"),
        "harden" => L("加强安全防护", "harden security"),
        "train" => L("安全教育培训", "train"),
        "convene" => L("召集应急指挥机构", "convene the command"),
        "consult_experts" => L("专家研判", "consult the experts"),
        "public_statement" => L("发布事件信息", "public statement"),
        "logistics" => L("后勤保障", "logistics"),
        "legal_review" => L("法律审核", "legal review"),
        "report_to_superior" => L("向上级报告", "report to the superior authority"),
        _ => return None,
    })
}

/// Whether a task name is one of the fixed ones the record uses for
/// reports, gradings and activations (`initial_report`, `written_report`,
/// `grade`, `activate_II`).
fn is_fixed_task(name: &str) -> bool {
    matches!(name, "initial_report" | "written_report" | "grade")
        || name
            .strip_prefix("activate_")
            .is_some_and(|l| crate::model::plan::Level::parse(l).is_some())
}

/// Looks names up in a record's metadata.
pub struct Names<'a> {
    pub rec: &'a RunRecord,
    pub lang: Lang,
}

impl<'a> Names<'a> {
    pub fn new(rec: &'a RunRecord, lang: Lang) -> Self {
        Names { rec, lang }
    }

    fn pick(&self, zh: &str, en: &str) -> String {
        self.lang.pick(zh, en).to_string()
    }

    /// A step's name: the plan's, else its action's label, else its id.
    pub fn step(&self, source: &str, id: &str) -> String {
        match self.rec.meta.step(source, id) {
            Some(s) if !s.name_zh.is_empty() || !s.name_en.is_empty() => {
                self.pick(&s.name_zh, &s.name_en)
            }
            Some(s) => action(&s.action)
                .map(|l| l.get(self.lang).to_string())
                .unwrap_or_else(|| id.to_string()),
            None => action(id)
                .map(|l| l.get(self.lang).to_string())
                .unwrap_or_else(|| id.to_string()),
        }
    }

    /// A task's name (`TaskRecord::name` with its kind and source): a step's
    /// name, `电话初报`, `启动Ⅱ级响应`, ….
    pub fn task(&self, kind: &str, name: &str, source: &str) -> String {
        if kind == "step" {
            return self.step(source, name);
        }
        match name {
            "initial_report" => self.pick("电话初报", "initial (phone) report"),
            "written_report" => self.pick("书面报告", "written report"),
            "grade" => self.pick("定级", "grading"),
            _ => match name
                .strip_prefix("activate_")
                .and_then(crate::model::plan::Level::parse)
            {
                Some(l) => match self.lang {
                    Lang::Zh => format!("启动{}级响应", l.roman()),
                    Lang::En => format!("start the level {} response", l.as_str()),
                },
                None => name.to_string(),
            },
        }
    }

    /// The name of the task behind obligation or task `index`.
    pub fn task_at(&self, index: usize, kind: &str, name: &str) -> String {
        let source = self
            .rec
            .tasks
            .get(index)
            .filter(|t| t.id == index)
            .map(|t| t.source.as_str())
            .unwrap_or("");
        self.task(kind, name, source)
    }

    fn node(&self, id: &str) -> Option<String> {
        self.rec
            .meta
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| self.pick(&n.name_zh, &n.name_en))
    }

    fn body(&self, id: &str) -> Option<String> {
        self.rec
            .meta
            .bodies
            .iter()
            .find(|b| b.id == id)
            .map(|b| self.pick(&b.name_zh, &b.name_en))
    }

    /// One value captured from a detail, as a name: a node, `unit body`
    /// actor, body, step, class, tier, colour, action or task name; a
    /// comma list item by item; else as it is.
    pub fn term(&self, s: &str) -> String {
        let s = s.trim();
        if s.is_empty() {
            return String::new();
        }
        // Fixed words first: `disaster` the cause is 灾害, not the class.
        if self.lang == Lang::Zh
            && let Some(z) = fixed_zh(s)
        {
            return z.to_string();
        }
        if let Some(n) = self.name_of(s) {
            return n;
        }
        if self.lang == Lang::Zh {
            // Captures are shorter than `s` (every template has text of
            // its own), so this ends.
            if let Some(t) = self.templated(s) {
                return t;
            }
            if s.contains(", ") {
                // A list of names (convened bodies, steps not due) or of facts.
                let names: Option<Vec<String>> = s.split(", ").map(|p| self.name_of(p)).collect();
                if let Some(names) = names {
                    return names.join("、");
                }
                let parts: Vec<String> = s.split(", ").map(|p| self.term(p)).collect();
                return parts.join("，");
            }
        }
        s.to_string()
    }

    /// The name behind an id, if `s` is one.
    fn name_of(&self, s: &str) -> Option<String> {
        let s = s.trim();
        if let Some(n) = self.node(s) {
            return Some(n);
        }
        if let Some(b) = self.body(s) {
            return Some(b);
        }
        if let Some((u, b)) = s.split_once(' ')
            && let (Some(u), Some(b)) = (self.node(u), self.body(b))
        {
            return Some(format!("{u} · {b}"));
        }
        if let Some(c) = self.rec.meta.classes.iter().find(|c| c.0 == s) {
            return Some(self.pick(&c.1, &c.2));
        }
        if let Some((code, _)) = s.split_once(' ')
            && let Some(c) = self.rec.meta.classes.iter().find(|c| c.0 == code)
        {
            return Some(self.pick(&c.1, &c.2));
        }
        if self.rec.meta.step("", s).is_some() {
            return Some(self.step("", s));
        }
        if is_fixed_task(s) {
            return Some(self.task("", s, ""));
        }
        if let Some(l) = action(s) {
            return Some(l.get(self.lang).to_string());
        }
        if matches!(
            s,
            "hq" | "provincial" | "prefecture" | "county" | "grassroots"
        ) {
            return Some(tier(s).get(self.lang).to_string());
        }
        None
    }

    /// `s` by the first template it matches, its values as terms.
    fn templated(&self, s: &str) -> Option<String> {
        TEMPLATES.iter().find_map(|(en, zh)| {
            capture(s, en)
                .map(|caps| fill_caps(zh, &caps.iter().map(|c| self.term(c)).collect::<Vec<_>>()))
        })
    }

    /// An event's detail in the report language. Step events name the step
    /// of the task they belong to (its procedure or special plan).
    pub fn detail(&self, e: &Event) -> String {
        use crate::engine::record::EventKind as K;
        let text = &*e.detail;
        if matches!(e.kind, K::StepStart | K::StepFinish)
            && let Some((id, rest)) = text.split_once(" at ")
        {
            let task = self.rec.tasks.iter().find(|t| {
                t.kind == "step"
                    && t.name == id
                    && Some(t.site) == e.node
                    && (if e.kind == K::StepStart {
                        t.started
                    } else {
                        t.finished
                    })
                    .is_some_and(|m| (m - e.minute).abs() < 1e-6)
            });
            let name = self.step(task.map_or("", |t| t.source.as_str()), id);
            let (site, more) = rest
                .split_once([';', ' '])
                .map_or((rest, ""), |(a, _)| (a, &rest[a.len()..]));
            let site = self.node(site).unwrap_or_else(|| site.to_string());
            return match self.lang {
                Lang::En => format!("{name} at {site}{more}"),
                Lang::Zh => {
                    let mut out = format!("{name}（{site}）");
                    for seg in more.split("; ").map(str::trim).filter(|s| !s.is_empty()) {
                        out.push('；');
                        out.push_str(&self.term(seg.trim_start_matches(';').trim()));
                    }
                    out
                }
            };
        }
        match self.lang {
            Lang::En => text.to_string(),
            Lang::Zh => self.zh(text),
        }
    }

    /// A whole detail or inject description in Chinese: the full text
    /// against the templates, else each `; ` segment.
    pub fn zh(&self, text: &str) -> String {
        if let Some(t) = self.templated(text) {
            return t;
        }
        let segs: Vec<&str> = text.split("; ").collect();
        if segs.len() > 1 {
            return segs
                .iter()
                .map(|s| self.term(s))
                .collect::<Vec<_>>()
                .join("；");
        }
        self.term(text)
    }

    /// An inject's description (`RunMeta::injects`) in the report language.
    pub fn inject(&self, text: &str) -> String {
        match self.lang {
            Lang::En => text.to_string(),
            Lang::Zh => self.zh(text),
        }
    }
}

/// Shorthand on the report context.
impl Ctx<'_> {
    pub fn names(&self) -> Names<'_> {
        Names::new(self.rec, self.lang)
    }
}

/// Fixed words of details in Chinese.
fn fixed_zh(s: &str) -> Option<&'static str> {
    Some(match s {
        "red" => "红色",
        "orange" => "橙色",
        "yellow" => "黄色",
        "blue" => "蓝色",
        "no colour" => "无颜色",
        "backbone" => "骨干",
        "regional" => "区域",
        "metro" => "城域",
        "access" => "接入",
        "initial" => "电话初报",
        "written" => "书面报告",
        "equipment failure" => "设备故障",
        "power outage" => "停电",
        "disaster" => "灾害",
        "weekend" => "周末",
        "national_office" => "国家网络安全应急办公室",
        "worm payload deleted files" => "蠕虫载荷删除文件",
        "worm payload encrypted files" => "蠕虫载荷加密文件",
        "power lost without an orderly shutdown" => "断电且未能正常关机",
        "site destroyed" => "站点被毁",
        "virus payload deleted files" => "病毒载荷删除文件",
        "virus payload encrypted files" => "病毒载荷加密文件",
        "damage" => "受损",
        "first host infected" => "首台主机被感染",
        "initial infection" => "初始感染",
        "last infected host recovered" => "最后一台受感染主机已恢复",
        "saturated by worm traffic" => "被蠕虫流量阻塞",
        "worm traffic below capacity" => "蠕虫流量低于线路容量",
        "first grading" => "首次定级",
        "level kept" => "维持原级别",
        "-" => "无",
        _ => return None,
    })
}

/// The engine's detail templates (`{}` = a value) and their Chinese. More
/// specific templates come first; the first match wins.
pub const TEMPLATES: &[(&str, &str)] = &[
    // Injects (scenario descriptions and events).
    (
        "worm released: {} ({} initial node(s), {} exposed gateway(s))",
        "蠕虫释放：{0}（初始感染节点 {1} 个，暴露的互联网出口 {2} 个）",
    ),
    (
        "{}: {} initial node(s), {} exposed gateway(s)",
        "{0}：初始感染节点 {1} 个，暴露的互联网出口 {2} 个",
    ),
    ("line cut: {} for {} min", "线路中断：{0}，持续 {1} 分钟"),
    ("line cut: {}", "线路中断：{0}"),
    (
        "device failure at {} for {} min",
        "{0}设备故障，持续 {1} 分钟",
    ),
    ("device failure at {}", "{0}设备故障"),
    ("spare device held on site", "现场存有备件"),
    (
        "no spare on site: a replacement must be shipped",
        "现场无备件，需调运替换设备",
    ),
    (
        "power outage over {} node(s) for {} min",
        "{0} 个节点停电，持续 {1} 分钟",
    ),
    (
        "disaster over {} node(s), {}% destroyed, for {} min",
        "灾害波及 {0} 个节点，{1}% 被毁，持续 {2} 分钟",
    ),
    (
        "disaster: {} of {} node(s) destroyed for {} min",
        "灾害：{1} 个节点中 {0} 个被毁，持续 {2} 分钟",
    ),
    // Intrusions (engine::threats::intrusion).
    (
        "intrusion {}: from {} toward {} (exfiltration)",
        "入侵「{0}」：自{1}向{2}推进（窃取数据）",
    ),
    (
        "intrusion {}: exfiltration started at {}",
        "入侵「{0}」：在{1}开始窃取数据",
    ),
    (
        "intrusion {}: exfiltration finished at {}",
        "入侵「{0}」：在{1}完成窃取数据",
    ),
    (
        "intrusion {}: from {} toward {} (tampering)",
        "入侵「{0}」：自{1}向{2}推进（篡改数据）",
    ),
    (
        "intrusion {}: tampering started at {}",
        "入侵「{0}」：在{1}开始篡改数据",
    ),
    (
        "intrusion {}: tampering finished at {}",
        "入侵「{0}」：在{1}完成篡改数据",
    ),
    (
        "intrusion {}: from {} toward {} (defacement)",
        "入侵「{0}」：自{1}向{2}推进（篡改网页）",
    ),
    (
        "intrusion {}: defacement started at {}",
        "入侵「{0}」：在{1}开始篡改网页",
    ),
    (
        "intrusion {}: defacement finished at {}",
        "入侵「{0}」：在{1}完成篡改网页",
    ),
    (
        "intrusion {}: reconnaissance of the internet-facing services at {}",
        "入侵「{0}」：{1}侦察互联网服务",
    ),
    (
        "intrusion {}: reconnaissance over the external line from {} at {}",
        "入侵「{0}」：经{1}的外部线路对{2}进行侦察",
    ),
    (
        "intrusion {}: external line from {} cut at {}",
        "入侵「{0}」：{2}已切断来自{1}的外部线路",
    ),
    (
        "intrusion {}: external line from {} reconnected at {}",
        "入侵「{0}」：{2}已恢复来自{1}的外部线路",
    ),
    (
        "intrusion {}: vulnerability exploited at {}",
        "入侵「{0}」：{1}漏洞被利用",
    ),
    (
        "intrusion {}: foothold established (backdoor installed) at {}",
        "入侵「{0}」：{1}建立据点（植入后门）",
    ),
    (
        "intrusion {}: lateral movement from the public web zone at {}",
        "入侵「{0}」：{1}自门户区横向移动",
    ),
    (
        "intrusion {}: lateral movement from {} at {}",
        "入侵「{0}」：自{1}横向移动至{2}",
    ),
    (
        "intrusion {}: stopped at stage recon by {} at {}",
        "入侵「{0}」：在侦察阶段被{2}的「{1}」阻断",
    ),
    (
        "intrusion {}: stopped at stage exploit by {} at {}",
        "入侵「{0}」：在漏洞利用阶段被{2}的「{1}」阻断",
    ),
    (
        "intrusion {}: stopped at stage foothold by {} at {}",
        "入侵「{0}」：在建立据点阶段被{2}的「{1}」阻断",
    ),
    (
        "intrusion {}: stopped at stage lateral by {} at {}",
        "入侵「{0}」：在横向移动阶段被{2}的「{1}」阻断",
    ),
    (
        "intrusion {}: stopped at stage action by {} at {}",
        "入侵「{0}」：在实施目的阶段被{2}的「{1}」阻断",
    ),
    ("alert raised", "触发告警"),
    // Defacements (engine::threats::defacement).
    (
        "defacement {}: website of {} defaced",
        "网页篡改「{0}」：{1}网站被篡改",
    ),
    (
        "defacement {}: noticed by staff at {}; {} page views so far",
        "网页篡改「{0}」：{1}的被篡改网页由本单位人员发现，此前已被浏览 {2} 次",
    ),
    (
        "defacement {}: noticed by taxpayers at {}; {} page views so far",
        "网页篡改「{0}」：{1}的被篡改网页由纳税人发现，此前已被浏览 {2} 次",
    ),
    (
        "defacement {}: noticed by press at {}; {} page views so far",
        "网页篡改「{0}」：{1}的被篡改网页由媒体发现，此前已被浏览 {2} 次",
    ),
    (
        "defacement {}: pages taken down at {} after {} h exposed; {} page views",
        "网页篡改「{0}」：{1}已删除被篡改网页，暴露 {2} 小时，共被浏览 {3} 次",
    ),
    (
        "defacement {}: genuine pages restored at {}",
        "网页篡改「{0}」：{1}已恢复正常网页",
    ),
    // Harmful content (the defacement model with `harmful: true`).
    (
        "harmful content {}: posted on the website of {}",
        "有害信息「{0}」：{1}网站被贴出有害信息",
    ),
    (
        "harmful content {}: noticed by staff at {}; {} page views so far",
        "有害信息「{0}」：{1}网站上的有害信息由本单位人员发现，此前已被浏览 {2} 次",
    ),
    (
        "harmful content {}: noticed by taxpayers at {}; {} page views so far",
        "有害信息「{0}」：{1}网站上的有害信息由纳税人发现，此前已被浏览 {2} 次",
    ),
    (
        "harmful content {}: noticed by press at {}; {} page views so far",
        "有害信息「{0}」：{1}网站上的有害信息由媒体发现，此前已被浏览 {2} 次",
    ),
    (
        "harmful content {}: content taken down at {} after {} h exposed; {} page views",
        "有害信息「{0}」：{1}已删除有害信息，暴露 {2} 小时，共被浏览 {3} 次",
    ),
    (
        "harmful content {}: website restored at {}",
        "有害信息「{0}」：{1}网站已恢复正常",
    ),
    // Denial of service (engine::threats::dos).
    (
        "denial of service {}: flood at the online-filing portal of {}",
        "拒绝服务攻击「{0}」：{1}网上申报门户遭流量攻击",
    ),
    (
        "denial of service {}: flood noticed at {}; {} filings lost and {} delayed so far",
        "拒绝服务攻击「{0}」：{1}发现流量攻击，此前已流失申报 {2} 笔、延迟 {3} 笔",
    ),
    (
        "denial of service {}: the attacker stopped the flood at {} after {} h; {} filings lost, {} delayed",
        "拒绝服务攻击「{0}」：攻击者停止对{1}的流量攻击，持续 {2} 小时；流失申报 {3} 笔，延迟 {4} 笔",
    ),
    (
        "denial of service {}: flood mitigated by {} at {} after {} h; {} filings lost, {} delayed",
        "拒绝服务攻击「{0}」：{2}的「{1}」缓解了流量攻击，持续 {3} 小时；流失申报 {4} 笔，延迟 {5} 笔",
    ),
    // Data leaks (engine::threats::leak).
    (
        "data leak {}: records copied out of the data centre of {}",
        "数据泄露「{0}」：{1}数据中心的纳税人记录被外传",
    ),
    (
        "data leak {}: discovered by audit at {}; {} records copied out so far",
        "数据泄露「{0}」：{1}经内部审计发现数据泄露，此前已外传 {2} 条记录",
    ),
    (
        "data leak {}: discovered by buyer at {}; {} records copied out so far",
        "数据泄露「{0}」：{1}的数据被人兜售而发现泄露，此前已外传 {2} 条记录",
    ),
    (
        "data leak {}: discovered by press at {}; {} records copied out so far",
        "数据泄露「{0}」：{1}的数据泄露经媒体披露，此前已外传 {2} 条记录",
    ),
    (
        "data leak {}: discovered by police at {}; {} records copied out so far",
        "数据泄露「{0}」：{1}的数据泄露由公安机关通报，此前已外传 {2} 条记录",
    ),
    (
        "data leak {}: copying from {} ended after {} h; {} records copied out",
        "数据泄露「{0}」：从{1}外传数据结束，历时 {2} 小时，共外传 {3} 条记录",
    ),
    (
        "data leak {}: copying stopped by {} at {}; {} records copied out",
        "数据泄露「{0}」：{2}的「{1}」阻断了数据外传，共外传 {3} 条记录",
    ),
    // Viruses (engine::threats::virus).
    (
        "virus {}: office hosts of {} infected",
        "计算机病毒「{0}」：{1}办公电脑被感染",
    ),
    (
        "virus {}: antivirus alert on an infected host at {} ({} of {} host(s) infected)",
        "计算机病毒「{0}」：{1}杀毒软件对一台受感染主机报警（已感染 {2} / {3} 台）",
    ),
    (
        "virus {}: {} infected host(s) isolated at {}; spread stopped",
        "计算机病毒「{0}」：{2}已隔离 {1} 台受感染主机，传播停止",
    ),
    (
        "virus {}: removed from {} host(s) at {}; {} payload(s) prevented",
        "计算机病毒「{0}」：{2}已从 {1} 台主机清除病毒，阻止载荷发作 {3} 次",
    ),
    // Insiders (engine::threats::insider).
    (
        "insider {}: unauthorised access to taxpayer records at {}",
        "内部人员违规「{0}」：{1}有人越权访问纳税人数据",
    ),
    (
        "insider {}: internal network connected to the internet at {}",
        "内部人员违规「{0}」：{1}内网计算机违规连接互联网",
    ),
    (
        "insider {}: audit finds unauthorised access to taxpayer records at {}; {} record(s) copied so far",
        "内部人员违规「{0}」：审计发现{1}有人越权访问纳税人数据，已复制 {2} 条记录",
    ),
    (
        "insider {}: audit finds an internal computer connected to the internet at {}, for {} h so far",
        "内部人员违规「{0}」：审计发现{1}内网计算机违规连接互联网，已持续 {2} 小时",
    ),
    (
        "insider {}: misuse stopped by isolate at {} after {} h",
        "内部人员违规「{0}」：{1}隔离相关系统，违规行为持续 {2} 小时后被制止",
    ),
    (
        "insider {}: misuse stopped by cut_attack_source at {} after {} h",
        "内部人员违规「{0}」：{1}断开违规连接，违规行为持续 {2} 小时后被制止",
    ),
    // The network.
    ("{}–{} ({})", "{0}–{1}（{2}线路）"),
    ("{}–{} {}: {} of {} kbit/s", "{0}–{1} {2}：{3} / {4} kbit/s"),
    ("{} over", "{0}结束"),
    (
        "mains lost; backup power for {} h",
        "市电中断；备用电源可支撑 {0} 小时",
    ),
    (
        "{} down; traffic on backup line",
        "{0}中断；流量切换至备用线路",
    ),
    ("traffic back on {}", "流量切回{0}"),
    (
        "{}: data of {} of {} host(s) lost back to the last backup ({} h old): ~{} record(s)",
        "{0}：{2} 台主机中 {1} 台的数据回退至上次备份（{3} 小时前），约丢失 {4} 条记录",
    ),
    // Incidents, reports, grading, activation, end.
    ("incident {} ({}) opened", "事件 {0}（{1}）立案"),
    ("incident {}: symptom seen at {}", "事件 {0}：在{1}发现异常"),
    ("incident {}: {} report to {}", "事件 {0}：向{2}{1}"),
    (
        "incident {}: graded level {} ({})",
        "事件 {0}：定为 {1} 级（{2}）",
    ),
    ("raised from {}: {}", "由 {0} 级上调：{1}"),
    ("first grading: {}", "首次定级：{0}"),
    ("level kept: {}", "维持原级别：{0}"),
    (
        "deviation: the facts called for level {}",
        "偏差：按掌握的情况应定为 {0} 级",
    ),
    (
        "{} site(s) in {} province(s)",
        "{1} 个省级单位的 {0} 个站点",
    ),
    ("highest tier {}", "最高层级{0}"),
    ("{} host(s) infected", "感染主机 {0} 台"),
    ("{} service(s) down", "{0} 项服务中断"),
    ("{} records leaked", "泄露记录 {0} 条"),
    ("longest {} h", "最长 {0} 小时"),
    ("{} node(s) cut off", "与总局失联节点 {0} 个"),
    (
        "incident {}: level {} already covered by the level {} response",
        "事件 {0}：{1} 级已由 {2} 级响应覆盖",
    ),
    (
        "incident {}: level {} ({}) response started, led by {}; convened: {}",
        "事件 {0}：启动 {1} 级（{2}）响应，由{3}牵头；召集：{4}",
    ),
    (
        "incident {}: level {} ({}) response started, led by {}; convened: ",
        "事件 {0}：启动 {1} 级（{2}）响应，由{3}牵头",
    ),
    (
        "incident {}: contained; evaluation within {} days, summary report within {} days",
        "事件 {0}：已控制；{1} 天内完成评估，{2} 天内提交总结报告",
    ),
    (
        "incident {}: response still open at the end of the run; not due: {}",
        "事件 {0}：运行结束时响应仍未结束；尚未到期：{1}",
    ),
    ("{} not done", "{0}未执行"),
    // Duty and call-outs.
    ("staff called in ({}, +{})", "召回人员到岗（{0}，+{1}）"),
    ("off duty: {}", "非值班时间：{0}"),
    (
        "skeleton duty detects at {} % of the normal rate, staff are called in before work starts (+{})",
        "留守人员的发现能力为正常的 {0}%，开始处置前须召回人员（+{1}）",
    ),
    (
        "outside office hours of a make-up working day",
        "调休工作日的非办公时间",
    ),
    (
        "outside office hours of a working day",
        "工作日的非办公时间",
    ),
    ("public holiday {} ({} – {})", "法定节假日{0}（{1} – {2}）"),
    (
        "on duty: office hours of a make-up working day (调休)",
        "值班：调休工作日的办公时间",
    ),
    (
        "on duty: office hours of a working day",
        "值班：工作日的办公时间",
    ),
    (
        "on duty: heightened duty around the clock ({} – {}) [I]",
        "值班：加强值班，全天 24 小时（{0} – {1}）[I]",
    ),
    (
        "on duty: round-the-clock duty of an activated response level",
        "值班：已启动响应级别的 24 小时值班",
    ),
    (
        "on duty: around the clock (perfect readiness)",
        "值班：全天候（理想准备状态）",
    ),
    // Effects of finished steps and duties.
    (
        "(deviation: started before {} prerequisite step(s) finished)",
        "偏差：{0} 个前序步骤尚未完成即开始",
    ),
    (
        "{} infected host(s) isolated, site under containment (its router stays on the WAN)",
        "隔离受感染主机 {0} 台，站点处于遏制状态（其路由器仍在广域网上）",
    ),
    (
        "affected systems isolated (the site stays on the WAN)",
        "受影响系统已隔离（站点仍在广域网上）",
    ),
    (
        "whole site taken off the WAN (the plan names disconnect_site)",
        "整个站点已断开广域网（预案规定断网）",
    ),
    (
        "{} host(s) still infected: they stay isolated",
        "仍有 {0} 台主机受感染，继续隔离",
    ),
    (
        "{} host(s) infected while isolated cleaned first",
        "先清除隔离期间被感染的 {0} 台主机",
    ),
    ("site reconnected to the WAN", "站点重新接入广域网"),
    ("isolated segments reconnected", "隔离网段重新接入"),
    ("attack source blocked at the gateway", "已在出口阻断攻击源"),
    (
        "worm blocked at {} gateway(s) and on {} line(s)",
        "已在 {0} 个出口和 {1} 条线路上阻断蠕虫",
    ),
    ("{} host(s) cleaned", "清除 {0} 台主机"),
    (
        "patch order carried out: {} host(s) at {} unit(s) patched by the staff of {} unit(s) ({} people) over {} h",
        "补丁下发完成：{2} 个单位的 {3} 名人员用 {4} 小时为 {1} 个单位的 {0} 台主机安装补丁",
    ),
    ("{} host(s) patched", "为 {0} 台主机安装补丁"),
    ("site rebuilt and back up", "站点已重建并恢复运行"),
    ("equipment repaired", "设备已修复"),
    ("traffic on the backup line", "流量已切换至备用线路"),
    (
        "damaged data restored from the last backup",
        "已从最近一次备份恢复受损数据",
    ),
    ("no damaged data left to restore", "无待恢复的受损数据"),
    ("command assembled", "指挥机构已集结"),
    ("expert advice received", "已收到专家意见"),
    ("statement issued", "已发布声明"),
    ("supplies and support arranged", "已安排物资和保障"),
    ("legal review done", "法律审核完成"),
    (
        "situation reported to the superior authority",
        "已向上级报告事态",
    ),
    // Drill logs (engine::response::external).
    (
        "logged {} (row {}) not in the plan's response: the plan has no step `{}`",
        "记录的行动 {0}（第 {1} 行）不在预案的响应之内：预案没有步骤“{2}”",
    ),
    (
        "logged {} (row {}) not in the plan's response: no task of the plan matched it (none called for, or already done)",
        "记录的行动 {0}（第 {1} 行）不在预案的响应之内：没有对应的预案任务（预案未要求，或已完成）",
    ),
    (
        "logged {} (row {}) not in the plan's response: no symptom of any incident at that site",
        "记录的行动 {0}（第 {1} 行）不在预案的响应之内：该站点没有任何事件的征兆",
    ),
    (
        "logged {} (row {}) not in the plan's response: closed before any response could end (not contained, or tasks open)",
        "记录的行动 {0}（第 {1} 行）不在预案的响应之内：响应尚不能结束（未控制，或仍有未完成任务）即宣布结束",
    ),
    (
        "logged {} (row {}) not in the plan's response: after the end of the run",
        "记录的行动 {0}（第 {1} 行）不在预案的响应之内：晚于运行结束",
    ),
    (
        "{} at {} done by {}, not {} as the plan names (row {})",
        "{1}的{0}由 {2} 执行，而非预案指定的 {3}（第 {4} 行）",
    ),
    (
        "{} logged at minute {} (row {}) before the plan called for it; counted as done at minute {}",
        "{0} 记录于第 {1} 分钟（第 {2} 行），早于预案要求；在任务产生的第 {3} 分钟计为完成",
    ),
    (
        "{} logged at minute {} (row {}) before any symptom showed at the site; counted as done at minute {}",
        "{0} 记录于第 {1} 分钟（第 {2} 行），早于该站点出现征兆；在第 {3} 分钟计为完成",
    ),
];

/// Matches `s` against a template with `{}` holes; the values in order.
/// Each hole takes the shortest text that lets the rest match, and never
/// empty text, a `; ` (the separator of a detail's parts) or unbalanced
/// brackets; a template's leading hole never takes a `, ` (so a fact list
/// is not read as one value).
fn capture<'s>(s: &'s str, template: &str) -> Option<Vec<&'s str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let rest = s.strip_prefix(pieces[0])?;
    let mut caps = Vec::new();
    let leading = pieces[0].is_empty();
    holes(rest, &pieces[1..], leading, &mut caps).then_some(caps)
}

fn holes<'s>(rest: &'s str, lits: &[&str], leading: bool, caps: &mut Vec<&'s str>) -> bool {
    let Some((lit, more)) = lits.split_first() else {
        return rest.is_empty();
    };
    let ok = |v: &str| {
        let list = leading && v.contains(", ");
        !v.is_empty() && !v.contains("; ") && balanced(v) && !list
    };
    if more.is_empty() {
        let Some(v) = rest.strip_suffix(lit) else {
            return false;
        };
        if !ok(v) {
            return false;
        }
        caps.push(v);
        return true;
    }
    for (i, _) in rest.match_indices(lit).filter(|(i, _)| *i > 0) {
        let v = &rest[..i];
        if !ok(v) {
            continue;
        }
        caps.push(v);
        if holes(&rest[i + lit.len()..], more, false, caps) {
            return true;
        }
        caps.pop();
    }
    false
}

/// Brackets `()` and `（）` open and close in order.
fn balanced(v: &str) -> bool {
    let mut depth = 0i32;
    for c in v.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `{0}`, `{1}`, … ← values.
fn fill_caps(template: &str, caps: &[String]) -> String {
    let mut out = template.to_string();
    for (i, c) in caps.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_takes_values_between_literals() {
        assert_eq!(
            capture(
                "incident 3: graded level II (orange)",
                "incident {}: graded level {} ({})"
            ),
            Some(vec!["3", "II", "orange"])
        );
        assert_eq!(capture("x", "incident {}"), None);
        assert_eq!(
            capture("gd.01–gd (backbone)", "{}–{} ({})"),
            Some(vec!["gd.01", "gd", "backbone"])
        );
        assert_eq!(capture("abc over", "{} over"), Some(vec!["abc"]));
        assert_eq!(capture(" over", "{} over"), None);
        // Brackets inside a value: the hole grows until they balance.
        assert_eq!(
            capture(
                "worm released: W (x-like) (0 initial node(s), 1 exposed gateway(s))",
                "worm released: {} ({} initial node(s), {} exposed gateway(s))"
            ),
            Some(vec!["W (x-like)", "0", "1"])
        );
        // A leading hole never swallows a list or a `; ` part.
        assert_eq!(
            capture("a, 3 host(s) infected", "{} host(s) infected"),
            None
        );
        assert_eq!(
            capture("x; 3 host(s) infected", "{} host(s) infected"),
            None
        );
    }

    /// Every Chinese template uses each of its English template's values
    /// (a value left out would silently drop a number), and no more.
    #[test]
    fn templates_use_every_value() {
        for (en, zh) in TEMPLATES {
            let n = en.matches("{}").count();
            for i in 0..n {
                assert!(zh.contains(&format!("{{{i}}}")), "{en}: {{{i}}} unused");
            }
            assert!(!zh.contains(&format!("{{{n}}}")), "{en}: {{{n}}} too many");
            // Every template has text of its own (so captures are shorter).
            assert!(en.replace("{}", "").len() > 2, "{en}");
        }
    }

    fn record() -> RunRecord {
        use crate::engine::record::{BodyMeta, NodeMeta, StepMeta};
        let mut r = RunRecord::default();
        let m = std::sync::Arc::make_mut(&mut r.meta);
        m.nodes = vec![NodeMeta {
            id: "gd".into(),
            name_zh: "广东省税务局".into(),
            name_en: "Guangdong Provincial Tax Bureau".into(),
            tier: "provincial".into(),
            province: "gd".into(),
        }];
        let body = |id: &str, zh: &str, en: &str| BodyMeta {
            id: id.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            role: id.into(),
        };
        m.bodies = vec![
            body("emergency_office", "应急办公室", "Emergency office"),
            body("expert_group", "专家组", "Expert group"),
            body("technical_group", "技术支持组", "Technical support group"),
        ];
        m.steps = vec![StepMeta {
            source: "procedure:0".into(),
            id: "isolate".into(),
            action: "isolate".into(),
            name_zh: "隔离受感染主机".into(),
            name_en: "Isolate infected hosts".into(),
        }];
        r
    }

    /// The engine's details, as a Chinese report shows them.
    #[test]
    fn details_are_told_in_chinese_with_names_for_ids() {
        let rec = record();
        let n = Names::new(&rec, Lang::Zh);
        for (en, zh) in [
            (
                "incident 2: graded level II (orange); raised from III: 3 site(s) in 1 \
                 province(s), highest tier provincial, 6 service(s) down, longest 2.5 h; \
                 deviation: the facts called for level I",
                "事件 2：定为 II 级（橙色）；由 III 级上调：1 个省级单位的 3 个站点，最高层级省级，\
                 6 项服务中断，最长 2.5 小时；偏差：按掌握的情况应定为 I 级",
            ),
            (
                "staff called in (off duty: weekend, +1h)",
                "召回人员到岗（非值班时间：周末，+1h）",
            ),
            (
                "incident 1: initial report to gd emergency_office",
                "事件 1：向广东省税务局 · 应急办公室电话初报",
            ),
            (
                "incident 1: level III (yellow) response started, led by emergency_office; \
                 convened: technical_group, expert_group",
                "事件 1：启动 III 级（黄色）响应，由应急办公室牵头；召集：技术支持组、专家组",
            ),
            ("isolate not done", "隔离受感染主机未执行"),
            ("written_report not done", "书面报告未执行"),
            ("disaster", "灾害"),
        ] {
            assert_eq!(n.zh(en), zh, "{en}");
        }
        // English keeps the text; names still replace ids where asked.
        let e = Names::new(&rec, Lang::En);
        assert_eq!(e.term("isolate"), "Isolate infected hosts");
        assert_eq!(
            e.task("activate", "activate_II", ""),
            "start the level II response"
        );
        assert_eq!(n.task("activate", "activate_II", ""), "启动Ⅱ级响应");
        // A step the plan does not name: its action's label, never its id.
        assert_eq!(n.step("procedure:9", "restore_service"), "恢复服务");
    }

    #[test]
    fn the_action_and_fixed_names_have_both_languages() {
        for a in crate::model::plan::StepAction::ALL {
            let l = action(a.as_str()).unwrap_or_else(|| panic!("{}: no label", a.as_str()));
            assert!(!l.0.is_empty() && !l.1.is_empty());
        }
    }
}
