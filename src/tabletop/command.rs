//! The players' commands: one line, parsed without looking at the plan or
//! the network (the session checks names against them; see `super`).
//!
//! ```text
//! help | status | tasks | end
//! wait [DURATION]              30m, 2h, 1h30m, 90 (minutes); none = until something happens
//! report [at UNIT]             the report the plan asks of you
//! grade LEVEL [at UNIT]        I–IV, Ⅰ–Ⅳ or 1–4
//! activate LEVEL [at UNIT]
//! detect [at SITE]             you noticed the incident at SITE
//! do STEP [at UNIT]            a plan step (its id), at the site UNIT
//! ```
//! Blank lines and `#` comments are ignored.

use crate::model::plan::Level;

/// One parsed command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Help,
    Status,
    Tasks,
    End,
    /// Advance by so many minutes; `None`: until the next inject, the next
    /// deadline of one's tasks or the next news for one's body.
    Wait(Option<f64>),
    Report {
        at: Option<String>,
    },
    Grade {
        level: Level,
        at: Option<String>,
    },
    Activate {
        level: Level,
        at: Option<String>,
    },
    Detect {
        at: Option<String>,
    },
    Do {
        step: String,
        at: Option<String>,
    },
}

/// Why a line is not a command.
#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// The first word is no command.
    Unknown(String),
    /// A known command written wrongly: its usage line.
    Usage(&'static str),
    /// `grade` / `activate` with something that is no level.
    BadLevel(String),
    /// `wait` with something that is no duration.
    BadDuration(String),
}

impl ParseError {
    /// The message shown to the players (English, or Chinese).
    pub fn message(&self, lang: crate::report::Lang) -> String {
        use crate::report::Lang::*;
        match (self, lang) {
            (ParseError::Unknown(w), En) => {
                format!("unknown command `{w}`; type `help` for the commands")
            }
            (ParseError::Unknown(w), Zh) => format!("未知命令 `{w}`；输入 `help` 查看命令"),
            (ParseError::Usage(u), En) => format!("usage: {u}"),
            (ParseError::Usage(u), Zh) => format!("用法：{u}"),
            (ParseError::BadLevel(l), En) => {
                format!("`{l}` is not a level (I, II, III, IV; Ⅰ–Ⅳ or 1–4 also work)")
            }
            (ParseError::BadLevel(l), Zh) => {
                format!("`{l}` 不是事件级别（I、II、III、IV；也可写 Ⅰ–Ⅳ 或 1–4）")
            }
            (ParseError::BadDuration(d), En) => {
                format!("`{d}` is not a duration (e.g. 30m, 2h, 1h30m, 90)")
            }
            (ParseError::BadDuration(d), Zh) => {
                format!("`{d}` 不是时长（例如 30m、2h、1h30m、90）")
            }
        }
    }
}

/// Usage lines, as `help` prints them.
pub const USAGE: [(&str, &str, &str); 11] = [
    ("help", "this list", "本命令列表"),
    (
        "status",
        "the time, what your unit knows of each incident",
        "当前时间、本单位掌握的事件情况",
    ),
    (
        "tasks",
        "your tasks with their deadlines",
        "本机构的任务及其时限",
    ),
    (
        "wait [DURATION]",
        "let time pass: 30m, 2h, 1h30m; alone: until the next inject, deadline or news",
        "推进时间：30m、2h、1h30m；不带时长：到下一条情况通报、时限或新消息",
    ),
    (
        "report [at UNIT]",
        "make the report the plan asks of you",
        "按预案报告",
    ),
    (
        "grade LEVEL [at UNIT]",
        "grade the incident: I, II, III or IV",
        "定级：I、II、III 或 IV",
    ),
    (
        "activate LEVEL [at UNIT]",
        "start the response at that level",
        "启动该级别的应急响应",
    ),
    (
        "detect [at SITE]",
        "you noticed the incident at SITE",
        "发现 SITE 发生事件",
    ),
    (
        "do STEP [at UNIT]",
        "carry out a plan step (its id) at the site UNIT",
        "在 UNIT 执行预案步骤（步骤编号）",
    ),
    (
        "end",
        "stop; the simulated teams play the rest; results are written",
        "结束；其余时间由模拟队伍处置，并写出结果",
    ),
    ("# …", "a comment (scripts)", "注释（脚本）"),
];

const U_REPORT: &str = "report [at UNIT]";
const U_GRADE: &str = "grade LEVEL [at UNIT]";
const U_ACTIVATE: &str = "activate LEVEL [at UNIT]";
const U_DETECT: &str = "detect [at SITE]";
const U_DO: &str = "do STEP [at UNIT]";
const U_WAIT: &str = "wait [DURATION]";

/// A level as players write it: `I`–`IV` (any case), `Ⅰ`–`Ⅳ`, `1`–`4`.
pub fn parse_level(s: &str) -> Option<Level> {
    let up = s.trim().to_ascii_uppercase();
    let up = up.strip_prefix("LEVEL").unwrap_or(&up).trim();
    match up {
        "I" | "Ⅰ" | "1" => Some(Level::I),
        "II" | "Ⅱ" | "2" => Some(Level::II),
        "III" | "Ⅲ" | "3" => Some(Level::III),
        "IV" | "Ⅳ" | "4" => Some(Level::IV),
        _ => None,
    }
}

/// A duration: the scenario format (`30m`, `2h`, `1h30m`, `1d`) or plain
/// minutes (`90`). Must be positive.
pub fn parse_wait(s: &str) -> Option<f64> {
    let m = if s.chars().all(|c| c.is_ascii_digit()) {
        s.parse::<f64>().ok()
    } else {
        crate::model::scenario_file::parse_duration(s)
    }?;
    (m > 0.0 && m.is_finite()).then_some(m)
}

/// Parses one line. `Ok(None)`: blank or a comment.
pub fn parse(line: &str) -> Result<Option<Command>, ParseError> {
    let line = match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&first, rest)) = words.split_first() else {
        return Ok(None);
    };
    // `… at UNIT` at the end of the line.
    let (args, at) = match rest {
        [a @ .., kw, unit] if kw.eq_ignore_ascii_case("at") => (a, Some(unit.to_string())),
        _ => (rest, None),
    };
    if args.iter().any(|w| w.eq_ignore_ascii_case("at")) {
        return Err(ParseError::Usage(usage_of(first)));
    }
    let cmd = first.to_ascii_lowercase();
    let none = |c: Command| {
        if args.is_empty() && at.is_none() {
            Ok(Some(c))
        } else {
            Err(ParseError::Usage(usage_of(&cmd)))
        }
    };
    match cmd.as_str() {
        "help" | "?" => none(Command::Help),
        "status" => none(Command::Status),
        "tasks" => none(Command::Tasks),
        "end" | "quit" | "exit" => none(Command::End),
        "wait" => match (args, &at) {
            ([], None) => Ok(Some(Command::Wait(None))),
            ([d], None) => parse_wait(d)
                .map(|m| Some(Command::Wait(Some(m))))
                .ok_or_else(|| ParseError::BadDuration(d.to_string())),
            _ => Err(ParseError::Usage(U_WAIT)),
        },
        "report" => match args {
            [] => Ok(Some(Command::Report { at })),
            _ => Err(ParseError::Usage(U_REPORT)),
        },
        "detect" => match args {
            [] => Ok(Some(Command::Detect { at })),
            _ => Err(ParseError::Usage(U_DETECT)),
        },
        "grade" | "activate" => match args {
            [l] => {
                let level = parse_level(l).ok_or_else(|| ParseError::BadLevel(l.to_string()))?;
                Ok(Some(if cmd == "grade" {
                    Command::Grade { level, at }
                } else {
                    Command::Activate { level, at }
                }))
            }
            _ => Err(ParseError::Usage(usage_of(&cmd))),
        },
        "do" => match args {
            [step] => Ok(Some(Command::Do {
                step: step.to_string(),
                at,
            })),
            _ => Err(ParseError::Usage(U_DO)),
        },
        _ => Err(ParseError::Unknown(first.to_string())),
    }
}

fn usage_of(cmd: &str) -> &'static str {
    match cmd.to_ascii_lowercase().as_str() {
        "report" => U_REPORT,
        "grade" => U_GRADE,
        "activate" => U_ACTIVATE,
        "detect" => U_DETECT,
        "do" => U_DO,
        "wait" => U_WAIT,
        "help" | "?" => "help",
        "status" => "status",
        "tasks" => "tasks",
        _ => "end",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse("  # a comment"), Ok(None));
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("wait 30m"), Ok(Some(Command::Wait(Some(30.0)))));
        assert_eq!(
            parse("wait 2h # then"),
            Ok(Some(Command::Wait(Some(120.0))))
        );
        assert_eq!(parse("wait 90"), Ok(Some(Command::Wait(Some(90.0)))));
        assert_eq!(parse("WAIT"), Ok(Some(Command::Wait(None))));
        assert_eq!(
            parse("grade Ⅱ"),
            Ok(Some(Command::Grade {
                level: Level::II,
                at: None
            }))
        );
        assert_eq!(
            parse("activate iv at sc"),
            Ok(Some(Command::Activate {
                level: Level::IV,
                at: Some("sc".into())
            }))
        );
        assert_eq!(
            parse("do isolate at gd-p"),
            Ok(Some(Command::Do {
                step: "isolate".into(),
                at: Some("gd-p".into())
            }))
        );
        assert_eq!(parse("report"), Ok(Some(Command::Report { at: None })));
    }

    #[test]
    fn bad_commands_say_why() {
        assert_eq!(parse("isolate"), Err(ParseError::Unknown("isolate".into())));
        assert_eq!(parse("grade V"), Err(ParseError::BadLevel("V".into())));
        assert_eq!(parse("grade"), Err(ParseError::Usage(U_GRADE)));
        assert_eq!(
            parse("wait soon"),
            Err(ParseError::BadDuration("soon".into()))
        );
        assert_eq!(parse("wait 0m"), Err(ParseError::BadDuration("0m".into())));
        assert_eq!(parse("do"), Err(ParseError::Usage(U_DO)));
        assert_eq!(parse("do a b"), Err(ParseError::Usage(U_DO)));
        assert_eq!(parse("status now"), Err(ParseError::Usage("status")));
        assert_eq!(parse("report at"), Err(ParseError::Usage(U_REPORT)));
    }
}
