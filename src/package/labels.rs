//! Every fixed string of the drill package, in Chinese and English (the
//! report's `Lang` / `L` pattern). Templates use `{name}` placeholders
//! filled by [`crate::report::labels::fill`].

use crate::report::labels::{L, labels};

labels! {
    MSEL_TITLE = "演练主情景事件清单（MSEL）", "Master Scenario Events List (MSEL)";
    MSEL_SUBTITLE = "控制组与评估组使用，不发给参演人员", "For controllers and evaluators; not for the players";
    F_SCENARIO = "情景", "Scenario";
    F_PLAN = "预案", "Plan";
    F_SEED = "种子", "Seed";
    CLOSE_NOTE = "宣布应急响应结束（{site}；完美执行运行的结束时刻）", "end of the response declared ({site}; when the perfect run ended it)";
    DETECT_NOTE = "发现 {site} 的异常（完美执行运行的发现时刻）", "symptoms seen at {site} (when the perfect run saw them)";
    F_DRILL_DATE = "演练日期", "Drill date";
    F_DRILL_START = "演练开始时刻", "Drill start";
    F_NO_DATE = "未指定（时间均为演练开始后的分钟数）", "not set (times are minutes from the drill's start)";
    F_PICKED = "（按准备日程倒推选定）", " (picked by the preparation schedule)";
    F_COUNTS = "注入与预期行动", "Injects and expected actions";
    F_COUNTS_VALUE = "{injects} 个注入，{actions} 项预期行动，{bodies} 个机构", "{injects} inject(s), {actions} expected action(s), {bodies} bodies";

    SEC_INTRO = "一、说明", "1. Introduction";
    INTRO_DERIVED = "本清单中“预案要求的行动”不是手工录入的，而是推导得出：以完美准备状态（无偏差、人员始终在岗、各项用时取中位数，即 run --perfect-readiness）按预案《{plan}》在种子 {seed} 下运行本情景一次，取该次运行产生的全部任务（责任单位、机构、行动、地点、产生时刻、时限、预案条款）作为预期行动及其时限。情景或预案改变后应重新生成本清单。", "The actions the plan expects are derived, not typed: the scenario was run once with the plan “{plan}” and perfect-readiness teams (no deviations, staff always on duty, median durations: run --perfect-readiness) at seed {seed}, and every task of that run (unit, body, action, site, when it arose, its deadline and the plan clause) is an expected action with its deadline. Generate the list again whenever the scenario or the plan changes.";
    INTRO_MESSAGE = "“发给参演人员的信息”只描述注入本身（现象、地点、名称），不含模拟中的真实态势（威胁实际扩散到哪里、造成了多少损失）；由控制组在“送达时刻”交给“接收单位”。送达时刻取完美执行运行中该事件首次被发现的时刻；未被发现的注入取注入时刻。", "“Message to the players” describes the inject only (symptoms, place, name), never the simulation's ground truth (how far the threat has really spread or what it has damaged); controllers hand it to the recipient at the delivery time, the minute the perfect run first detected the incident (the inject's own minute when it was never detected).";
    INTRO_DUE = "时限为预案规定的完成时限，从义务产生时起算；“—”表示预案对该行动未规定时限。“参考完成”为完美执行运行中的完成时刻，供控制组把握节奏，不是考核标准。条款按预案文件原文引用。", "Deadlines are the plan's, counted from when the obligation arose; “—” means the plan sets no deadline for the action. “Reference done” is when the perfect run finished it, a pace for the controllers, not a standard. Clauses are quoted as the plan file has them.";
    INTRO_GROUPING = "预期行动按注入和责任单位层级分组；完整清单见 msel.csv（每项行动一行），观察员记录表见 observer-<机构>.html，演练记录模板见 drill-log.csv（time 列留空，由观察员填写）。", "Expected actions are grouped by inject and by the tier of the unit that acts; msel.csv has every action on a row of its own, observer-<body>.html the observers' sheets and drill-log.csv the drill-log template (its time column left empty for the observers).";
    INTRO_CLOCK = "时刻按演练日期 {date} 加情景开始时刻 {time} 换算。", "Clock times take the drill date {date} with the scenario's start time {time}.";

    SEC_SCHEDULE = "二、准备日程", "2. Preparation schedule";
    SCHEDULE_LEAD = "日程从截止日期 {deadline} 倒推，按值班日历的工作日计算（周一至周五，扣除法定节假日，含调休上班日）。截止日期和“完成培训和演练并报告上级”的要求出自通知原文；各项提前量为演练惯例 [P] 或推断 [I]，原文未作规定，可按实际调整。", "Worked back from the deadline {deadline} in working days of the duty calendar (Monday to Friday, minus public holidays, plus make-up working days). The deadline and the duty to finish training and the drill and report to the superior are the notice's; the lead times are exercise practice [P] or inference [I], not in the source, and may be changed.";
    SCHEDULE_PICKED = "未指定演练日期：取满足各项提前量的最晚日期。", "No drill date was given: the latest date that leaves the lead times is used.";
    SCHEDULE_NOT_WORKING = "（非工作日）", " (not a working day)";
    H_DATE = "日期", "Date";
    H_WEEKDAY = "星期", "Weekday";
    H_MILESTONE = "事项", "Milestone";
    H_LEAD = "提前量", "Lead time";
    H_BASIS = "依据", "Basis";
    LEAD_BEFORE = "{anchor}前 {n} 个工作日", "{n} working day(s) before the {anchor}";
    LEAD_AFTER = "{anchor}后 {n} 个工作日", "{n} working day(s) after the {anchor}";
    LEAD_GIVEN = "按指定日期", "as given";
    LEAD_NONE = "—", "—";
    BASIS_SEED = "通知原文", "the notice";
    BASIS_P = "演练惯例 [P]", "practice [P]";
    BASIS_I = "推断 [I]", "inference [I]";

    M_INITIAL_PLANNING = "首次策划会（确定目标、范围、情景）", "Initial planning meeting (objectives, scope, scenario)";
    M_FINAL_PLANNING = "最终策划会；MSEL 定稿", "Final planning meeting; MSEL final";
    M_TRAINING = "参演人员预案培训完成", "Players' training on the plan done";
    M_BRIEFING = "观察员与控制人员培训交底", "Observers and controllers briefed";
    M_DRILL = "演练日（结束后现场点评）", "Drill day (hot wash on site afterwards)";
    M_AAR = "演练评估报告（AAR）完成", "After-action report due";
    M_IP = "改进计划完成", "Improvement plan due";
    M_REPORT = "向上级报告执行情况", "Report to the superior due";
    M_DEADLINE = "通知规定的截止日期", "The notice's deadline";

    SEC_INJECTS = "三、注入一览", "3. Injects";
    H_INJECT = "注入", "Inject";
    H_MINUTE = "时间（分钟）", "Time (min)";
    H_CLOCK = "时刻", "Clock";
    H_DELIVER = "送达（分钟）", "Deliver at (min)";
    H_RECIPIENT = "接收单位", "Recipient";
    H_MESSAGE = "发给参演人员的信息", "Message to the players";
    H_ACTIONS = "预期行动数", "Expected actions";
    SAME_INCIDENT = "与注入 {n} 属同一事件", "same incident as inject {n}";
    NOT_DETECTED = "完美执行运行中未被发现", "not detected in the perfect run";

    SEC_ACTIONS = "四、预案要求的行动", "4. Actions the plan expects";
    ACTIONS_OF = "注入 {n}：{message}", "Inject {n}: {message}";
    TIER_COUNT = "{tier}（{n} 项）", "{tier} ({n})";
    NO_ACTIONS = "预案对该注入未提出行动。", "The plan expects no action for this inject.";
    UNATTRIBUTED = "未能归入某一注入的行动", "Actions not attributed to an inject";
    H_ARISES = "产生（分钟）", "Arises (min)";
    H_UNIT = "单位", "Unit";
    H_BODY = "机构", "Body";
    H_ACTION = "行动", "Action";
    H_SITE = "地点", "Site";
    H_DUE = "时限（分钟）", "Due (min)";
    H_DUE_CLOCK = "时限时刻", "Due (clock)";
    H_REFERENCE = "参考完成（分钟）", "Reference done (min)";
    H_CLAUSE = "预案条款", "Plan clause";
    LEVEL = "{action}（{level}级）", "{action} (level {level})";
    REPORT_TO = "{action} → {to}", "{action} → {to}";

    OBS_TITLE = "观察员记录表：{body}", "Observer sheet: {body}";
    OBS_SUBTITLE = "{scenario} · {plan}", "{scenario} · {plan}";
    OBS_HOWTO = "看到某项行动完成时，在“观察到的时间”栏记下时刻（演练开始后的分钟数、时:分，或完整日期时间），演练后录入 drill-log.csv 的 time 列。未看到的行动留空；预案以外的行动记在表末空行。", "When you see an action done, write the time in “Time seen” (minutes from the drill's start, HH:MM, or a full date and time); after the drill it goes into drill-log.csv's time column. Leave actions you did not see empty; write actions outside the plan on the blank rows at the end.";
    OBS_OBSERVER = "观察员", "Observer";
    OBS_PLACE = "位置", "Position";
    OBS_SIGN = "签名", "Signature";
    OBS_COUNT = "{n} 项行动", "{n} action(s)";
    H_NO = "序号", "No.";
    H_SEEN = "观察到的时间", "Time seen";
    H_NOTES = "备注", "Notes";
    NO_DEADLINE = "—", "—";

    FOOTER = "由 drillsim package 生成。", "Generated by drillsim package.";

    MSG_WORM = "{site}：网络流量异常，部分主机运行缓慢，疑似感染蠕虫（{name}）。", "{site}: abnormal network traffic and slow hosts; a worm ({name}) is suspected.";
    MSG_WORM_UNSEEN = "蠕虫（{name}）在互联网上出现。", "A worm ({name}) appears on the internet.";
    MSG_LINK = "线路中断：{a} — {b}。", "Line down: {a} — {b}.";
    MSG_NODE = "{node}：网络设备故障，站点与广域网中断。", "{node}: network equipment failure; the site is off the WAN.";
    MSG_POWER = "{sites}等 {n} 个站点所在区域市电中断。", "Mains power lost in the area of {n} site(s): {sites}.";
    MSG_DISASTER = "{sites}等 {n} 个站点所在区域发生灾害（地震、洪水或火灾），情况不明。", "A disaster (earthquake, flood or fire) strikes the area of {n} site(s): {sites}; the damage is not yet known.";
}

pub const WEEKDAYS: [L; 7] = [
    L("星期一", "Monday"),
    L("星期二", "Tuesday"),
    L("星期三", "Wednesday"),
    L("星期四", "Thursday"),
    L("星期五", "Friday"),
    L("星期六", "Saturday"),
    L("星期日", "Sunday"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::placeholders;

    #[test]
    fn every_label_has_both_languages_and_the_same_placeholders() {
        for (name, l) in ALL {
            assert!(!l.0.trim().is_empty(), "{name}: no Chinese");
            assert!(!l.1.trim().is_empty(), "{name}: no English");
            assert_eq!(placeholders(l.0), placeholders(l.1), "{name}");
        }
    }
}
