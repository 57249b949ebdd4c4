//! The charts' own fixed strings (Chinese, English). Kept apart from
//! `report::labels` so chart work and report-text work do not collide; the
//! older `CH_*` / `CAPTION_*` labels there remain for the charts that still
//! use them (services, obligation status).

use crate::report::labels::{L, labels};

labels! {
    THREAT = "威胁态势：感染、失联、宕机与服务中断", "Threat: infections, cut-off, outages and services lost";
    THREAT_HOSTS = "感染主机", "Hosts infected";
    THREAT_HOSTS_AXIS = "主机", "Hosts";
    THREAT_CUT_OFF = "与总局失联的节点", "Nodes cut off from HQ";
    THREAT_DOWN = "宕机节点", "Nodes down";
    THREAT_NODES_AXIS = "节点", "Nodes";
    THREAT_SERVICES = "不可用的服务实例", "Services unavailable";
    THREAT_SERVICES_AXIS = "服务实例", "Instances";
    THREAT_NOTHING = "本次运行没有感染、失联、宕机或服务中断", "Nothing was infected, cut off, down or unavailable in this run";
    MS_DETECT = "发现", "Detection";
    MS_FIRST_REPORT = "首次报告", "First report";
    MS_ACTIVATION = "启动响应", "Activation";
    MS_CONTAINMENT = "遏制", "Containment";
    CAP_THREAT = "各面板共用时间轴，只画出本次运行有数据的量。灰色虚线为情景注入（I1…），彩色竖线为响应里程碑（发现、首次报告、启动响应、遏制，取自结果指标）。", "The panels share the time axis; only quantities with data in this run are drawn. Grey dashed lines are the scenario's injects (I1…), coloured lines the response milestones (detection, first report, activation, containment, from the outcome metrics).";
    CAP_INJECT = "{id}（{time}）：{text}", "{id} ({time}): {text}";
    CAP_NO_MILESTONE = "未出现的里程碑：{list}。", "Milestones not reached: {list}.";

    COMPLIANCE = "预案合规度 (%)，各层级（灰线为总体）", "Plan compliance (%) by tier (grey: overall)";
    COMPLIANCE_Y = "合规度 (%)", "Compliance (%)";
    COMPLIANCE_TIER = "该层级", "This tier";
    COMPLIANCE_OVERALL = "总体", "Overall";
    COMPLIANCE_MISSED = "未履行义务到期（编号见图注）", "Missed obligation falls due (numbers: see caption)";
    COMPLIANCE_NONE = "本层级无义务", "No obligations at this tier";
    CAP_COMPLIANCE = "合规度 = 已获分值 ÷ 到期分值，各面板坐标轴相同。编号标记未履行义务计入合规度的时刻（合规度因此下降）：", "Compliance = credit earned ÷ credit due; the panels share both axes. Numbered marks show when a missed obligation entered the score (the drop it causes):";
    CAP_COMPLIANCE_NO_MISSED = "合规度 = 已获分值 ÷ 到期分值，各面板坐标轴相同。本次运行在时间轴内没有未履行的义务到期。", "Compliance = credit earned ÷ credit due; the panels share both axes. No missed obligation fell due within the time axis.";
    CAP_MISSED_ITEM = "{n}（{time}）{unit} {name}，{clause}", "{n} ({time}) {unit} {name}, {clause}";
    CAP_MISSED_MORE = "另 {n} 项", "{n} more";

    GANTT = "响应时间线（每项义务一行，按机构和单位分组）", "Response timeline (one row per obligation, grouped by body and unit)";
    GANTT_DUE = "时限", "Deadline";
    GANTT_PENDING = "未到期（运行结束时）", "Not yet due (at the end)";
    GANTT_NOT_DUE = "响应未结束，未到期", "Not due: response open";
    GANTT_MISSED = "未履行（至时限）", "Not done (to its deadline)";
    CAP_GANTT = "每条横条为一项义务：从产生到完成；未履行的画到时限，未到期的画到运行结束。分组按机构和单位，组内及组间按时间排序。", "Each bar is one obligation, from when it arose to when it was done; a missed one runs to its deadline, one not yet due to the end of the run. Rows are grouped by body and unit, in time order.";
    CAP_GANTT_SHOWN = "显示最早产生的 {first} 项义务及全部未履行义务，共 {shown} 项，另有 {left} 项未显示（见 obligations.csv）。", "Shown: the first {first} obligations by time and every missed one, {shown} in all; {left} more are not shown (see obligations.csv).";
    CAP_GANTT_ALL = "显示全部 {shown} 项义务。", "All {shown} obligations are shown.";
    CAP_GANTT_EDGE = "在运行结束后完成的义务画到右边缘。", "Obligations done after the end of the run are drawn to the right edge.";

    PROVINCES = "各单位受影响情况（总局及受影响的省级单位）", "Impact by unit (HQ and the provincial units affected)";
    PROV_NODES = "感染节点", "Nodes infected";
    PROV_HOSTS = "感染主机", "Hosts infected";
    PROV_DOWN = "宕机节点（曾宕机）", "Nodes down (ever)";
    PROV_HQ = "总局", "HQ";
    PROV_HQ_EXTERNAL = "总局及外部单位", "HQ and external";
    PROV_NONE = "没有单位受影响", "No unit was affected";
    CAP_PROVINCES = "只列出有感染或宕机的单位，共 {shown} 个（总局受影响时列于首行；省级单位共 {all} 个）。合计：感染节点 {nodes}，感染主机 {hosts}，曾宕机节点 {down}，与运行摘要一致。", "Only units with infections or outages are listed: {shown} (HQ first when it was hit; of {all} provincial units). Totals: {nodes} nodes infected, {hosts} hosts infected, {down} nodes down at some time, as in the run summary.";
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn every_chart_label_has_both_languages_and_the_same_placeholders() {
        for (name, l) in ALL {
            assert!(!l.0.trim().is_empty() && !l.1.trim().is_empty(), "{name}");
            let ph = crate::report::labels::placeholders;
            assert_eq!(ph(l.0), ph(l.1), "{name}: placeholders differ");
        }
    }
}
