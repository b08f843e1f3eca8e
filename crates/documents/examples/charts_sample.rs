//! Writes a sample of every chart to an HTML page, to look at in a browser
//! (for example at 360 px wide):
//! `cargo run -p documents --example charts_sample > /tmp/charts-sample.html`

use documents::charts::{Progress, Series, comparison, funnel, monthly_series, progress_bars};

fn main() {
    let p = |label: &str, value, target| Progress {
        label: label.into(),
        value,
        target,
    };
    let months = [
        "04.25", "05.25", "06.25", "07.25", "08.25", "09.25", "10.25", "11.25", "12.25", "01.26",
        "02.26", "03.26",
    ];
    let pts = |vals: &[Option<i64>]| {
        months
            .iter()
            .zip(vals)
            .map(|(m, v)| ((*m).to_owned(), *v))
            .collect::<Vec<_>>()
    };
    let charts = [
        progress_bars(
            "Индикаторлор 2026: Ош лабораториясы",
            &[
                p("Жумушка орношкон аялдар", Some(34), Some(50)),
                p("Өз бизнесин ачкандар", Some(12_345), Some(10_000)),
                p(
                    "Кайра окууга кайткандар (мансапты калыбына келтирүү)",
                    None,
                    Some(20),
                ),
                p("Биргелешкен демилгелер", Some(0), None),
            ],
            "<5",
        ),
        monthly_series(
            "Катышуучулар айлар боюнча",
            &[Series {
                name: "Ош".into(),
                points: pts(&[
                    Some(12),
                    Some(18),
                    Some(25),
                    None,
                    Some(31),
                    Some(40),
                    Some(38),
                    Some(52),
                    Some(47),
                    Some(60),
                    Some(58),
                    Some(71),
                ]),
            }],
            "<5",
        ),
        monthly_series(
            "Катышуучулар: лабораториялар",
            &[
                Series {
                    name: "Ош".into(),
                    points: pts(&[
                        Some(12),
                        Some(18),
                        Some(25),
                        Some(22),
                        Some(31),
                        Some(40),
                        Some(38),
                        Some(52),
                        Some(47),
                        Some(60),
                        Some(58),
                        Some(71),
                    ]),
                },
                Series {
                    name: "Баткен".into(),
                    points: pts(&[
                        Some(5),
                        Some(8),
                        None,
                        Some(11),
                        Some(14),
                        Some(13),
                        Some(20),
                        Some(24),
                        Some(22),
                        Some(30),
                        Some(35),
                        Some(33),
                    ]),
                },
                Series {
                    name: "Жалал-Абад".into(),
                    points: pts(&[
                        Some(20),
                        Some(22),
                        Some(26),
                        Some(30),
                        Some(29),
                        Some(35),
                        Some(41),
                        Some(40),
                        Some(45),
                        Some(44),
                        Some(50),
                        Some(55),
                    ]),
                },
            ],
            "<5",
        ),
        monthly_series(
            "One point",
            &[Series {
                name: "Ош".into(),
                points: vec![("03.26".into(), Some(7))],
            }],
            "<5",
        ),
        funnel(
            "Гранттык раунд: арыздан каржылоого чейин",
            &[
                ("Арыз берди".into(), Some(1_240)),
                ("Талаптарга жооп берди".into(), Some(830)),
                ("Интервьюга чакырылды".into(), Some(210)),
                ("Каржыланды".into(), Some(37)),
                ("Отчет тапшырды".into(), None),
            ],
            "<5",
        ),
        comparison(
            "Натыйжалар: лабораторияларды салыштыруу",
            &[
                "Жумуш".into(),
                "Бизнес".into(),
                "Мансапты калыбына келтирүү".into(),
            ],
            &[
                ("Ош".into(), vec![Some(34), Some(12), Some(9)]),
                ("Баткен".into(), vec![Some(18), None, Some(6)]),
                (
                    "Жалал-Абад <script>".into(),
                    vec![Some(27), Some(15), Some(0)],
                ),
            ],
            "<5",
        ),
        progress_bars("Нет данных", &[], "<5"),
    ];
    println!(
        "<!doctype html><html lang=\"ky\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>charts</title><style>body{{margin:0;padding:12px;font-family:system-ui,sans-serif}} figure{{margin:0 0 24px}}</style></head><body>"
    );
    for c in charts {
        println!("<figure>{c}</figure>");
    }
    println!("</body></html>");
}
