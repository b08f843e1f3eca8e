//! Kyrgyzstan's regions (oblasts) and the two cities of republican significance, with their
//! districts (raions) and the approximate centre of each region for the network map. Codes are
//! those of [`crate::REGIONS`]; district codes are transliterated names, stable once stored.
//! Names are given in Kyrgyz, Russian and English.

/// A region or city of republican significance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub code: &'static str,
    pub ky: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
    /// Administrative centre, for the map (degrees).
    pub lat: f64,
    pub lon: f64,
    pub districts: &'static [District],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct District {
    pub code: &'static str,
    pub ky: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
}

impl Region {
    pub fn name(&self, lang: &str) -> &'static str {
        match lang {
            "ky" => self.ky,
            "ru" => self.ru,
            _ => self.en,
        }
    }
    pub fn district(&self, code: &str) -> Option<&'static District> {
        self.districts.iter().find(|d| d.code == code)
    }
}

impl District {
    pub fn name(&self, lang: &str) -> &'static str {
        match lang {
            "ky" => self.ky,
            "ru" => self.ru,
            _ => self.en,
        }
    }
}

const fn d(code: &'static str, ky: &'static str, ru: &'static str, en: &'static str) -> District {
    District { code, ky, ru, en }
}

pub const ALL: &[Region] = &[
    Region {
        code: "batken",
        ky: "Баткен облусу",
        ru: "Баткенская область",
        en: "Batken Region",
        lat: 40.06,
        lon: 70.82,
        districts: &[
            d(
                "batken",
                "Баткен району",
                "Баткенский район",
                "Batken District",
            ),
            d(
                "kadamjay",
                "Кадамжай району",
                "Кадамжайский район",
                "Kadamjay District",
            ),
            d(
                "leilek",
                "Лейлек району",
                "Лейлекский район",
                "Leilek District",
            ),
            d(
                "kyzyl-kiya",
                "Кызыл-Кыя шаары",
                "город Кызыл-Кия",
                "Kyzyl-Kiya city",
            ),
            d("sulukta", "Сүлүктү шаары", "город Сулюкта", "Sulukta city"),
        ],
    },
    Region {
        code: "chuy",
        ky: "Чүй облусу",
        ru: "Чуйская область",
        en: "Chüy Region",
        lat: 42.80,
        lon: 74.75,
        districts: &[
            d(
                "alamudun",
                "Аламүдүн району",
                "Аламудунский район",
                "Alamüdün District",
            ),
            d("chuy", "Чүй району", "Чуйский район", "Chüy District"),
            d(
                "jayyl",
                "Жайыл району",
                "Жайыльский район",
                "Jayyl District",
            ),
            d("kemin", "Кемин району", "Кеминский район", "Kemin District"),
            d(
                "moskva",
                "Москва району",
                "Московский район",
                "Moskva District",
            ),
            d(
                "panfilov",
                "Панфилов району",
                "Панфиловский район",
                "Panfilov District",
            ),
            d(
                "sokuluk",
                "Сокулук району",
                "Сокулукский район",
                "Sokuluk District",
            ),
            d(
                "ysyk-ata",
                "Ысык-Ата району",
                "Ысык-Атинский район",
                "Ysyk-Ata District",
            ),
            d("tokmok", "Токмок шаары", "город Токмок", "Tokmok city"),
        ],
    },
    Region {
        code: "issyk-kul",
        ky: "Ысык-Көл облусу",
        ru: "Иссык-Кульская область",
        en: "Issyk-Kul Region",
        lat: 42.49,
        lon: 78.39,
        districts: &[
            d(
                "ak-suu",
                "Ак-Суу району",
                "Ак-Суйский район",
                "Ak-Suu District",
            ),
            d(
                "jeti-oguz",
                "Жети-Өгүз району",
                "Джети-Огузский район",
                "Jeti-Ögüz District",
            ),
            d(
                "issyk-kul",
                "Ысык-Көл району",
                "Иссык-Кульский район",
                "Issyk-Kul District",
            ),
            d("ton", "Тоң району", "Тонский район", "Ton District"),
            d("tyup", "Түп району", "Тюпский район", "Tüp District"),
            d("karakol", "Каракол шаары", "город Каракол", "Karakol city"),
            d(
                "balykchy",
                "Балыкчы шаары",
                "город Балыкчы",
                "Balykchy city",
            ),
        ],
    },
    Region {
        code: "jalal-abad",
        ky: "Жалал-Абад облусу",
        ru: "Джалал-Абадская область",
        en: "Jalal-Abad Region",
        lat: 40.93,
        lon: 73.00,
        districts: &[
            d("aksy", "Аксы району", "Аксыйский район", "Aksy District"),
            d(
                "ala-buka",
                "Ала-Бука району",
                "Ала-Букинский район",
                "Ala-Buka District",
            ),
            d(
                "bazar-korgon",
                "Базар-Коргон району",
                "Базар-Коргонский район",
                "Bazar-Korgon District",
            ),
            d(
                "chatkal",
                "Чаткал району",
                "Чаткальский район",
                "Chatkal District",
            ),
            d(
                "nooken",
                "Ноокен району",
                "Ноокенский район",
                "Nooken District",
            ),
            d("suzak", "Сузак району", "Сузакский район", "Suzak District"),
            d(
                "toguz-toro",
                "Тогуз-Торо району",
                "Тогуз-Тороуский район",
                "Toguz-Toro District",
            ),
            d(
                "toktogul",
                "Токтогул району",
                "Токтогульский район",
                "Toktogul District",
            ),
            d(
                "jalal-abad",
                "Жалал-Абад шаары",
                "город Джалал-Абад",
                "Jalal-Abad city",
            ),
        ],
    },
    Region {
        code: "naryn",
        ky: "Нарын облусу",
        ru: "Нарынская область",
        en: "Naryn Region",
        lat: 41.43,
        lon: 75.99,
        districts: &[
            d(
                "ak-talaa",
                "Ак-Талаа району",
                "Ак-Талинский район",
                "Ak-Talaa District",
            ),
            d(
                "at-bashy",
                "Ат-Башы району",
                "Ат-Башинский район",
                "At-Bashy District",
            ),
            d(
                "jumgal",
                "Жумгал району",
                "Джумгальский район",
                "Jumgal District",
            ),
            d(
                "kochkor",
                "Кочкор району",
                "Кочкорский район",
                "Kochkor District",
            ),
            d("naryn", "Нарын району", "Нарынский район", "Naryn District"),
            d("naryn-city", "Нарын шаары", "город Нарын", "Naryn city"),
        ],
    },
    Region {
        code: "osh-region",
        ky: "Ош облусу",
        ru: "Ошская область",
        en: "Osh Region",
        lat: 40.35,
        lon: 73.30,
        districts: &[
            d("alay", "Алай району", "Алайский район", "Alay District"),
            d(
                "aravan",
                "Араван району",
                "Араванский район",
                "Aravan District",
            ),
            d(
                "chong-alay",
                "Чоң-Алай району",
                "Чон-Алайский район",
                "Chong-Alay District",
            ),
            d(
                "kara-kulja",
                "Кара-Кулжа району",
                "Кара-Кульджинский район",
                "Kara-Kulja District",
            ),
            d(
                "kara-suu",
                "Кара-Суу району",
                "Кара-Суйский район",
                "Kara-Suu District",
            ),
            d(
                "nookat",
                "Ноокат району",
                "Ноокатский район",
                "Nookat District",
            ),
            d("uzgen", "Өзгөн району", "Узгенский район", "Özgön District"),
        ],
    },
    Region {
        code: "talas",
        ky: "Талас облусу",
        ru: "Таласская область",
        en: "Talas Region",
        lat: 42.52,
        lon: 72.24,
        districts: &[
            d(
                "bakay-ata",
                "Бакай-Ата району",
                "Бакай-Атинский район",
                "Bakay-Ata District",
            ),
            d(
                "kara-buura",
                "Кара-Буура району",
                "Кара-Бууринский район",
                "Kara-Buura District",
            ),
            d("manas", "Манас району", "Манасский район", "Manas District"),
            d("talas", "Талас району", "Таласский район", "Talas District"),
            d("talas-city", "Талас шаары", "город Талас", "Talas city"),
        ],
    },
    Region {
        code: "bishkek",
        ky: "Бишкек шаары",
        ru: "город Бишкек",
        en: "Bishkek city",
        lat: 42.87,
        lon: 74.59,
        districts: &[
            d(
                "leninsky",
                "Ленин району",
                "Ленинский район",
                "Leninsky District",
            ),
            d(
                "oktyabrsky",
                "Октябрь району",
                "Октябрьский район",
                "Oktyabrsky District",
            ),
            d(
                "pervomaysky",
                "Биринчи Май району",
                "Первомайский район",
                "Pervomaysky District",
            ),
            d(
                "sverdlovsky",
                "Свердлов району",
                "Свердловский район",
                "Sverdlovsky District",
            ),
        ],
    },
    Region {
        code: "osh-city",
        ky: "Ош шаары",
        ru: "город Ош",
        en: "Osh city",
        lat: 40.53,
        lon: 72.80,
        districts: &[d("osh-city", "Ош шаары", "город Ош", "Osh city")],
    },
];

pub fn region(code: &str) -> Option<&'static Region> {
    ALL.iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_code_has_its_districts() {
        assert_eq!(ALL.len(), crate::REGIONS.len());
        for code in crate::REGIONS {
            let r = region(code).expect(code);
            assert!(!r.districts.is_empty());
            // Kyrgyzstan lies within 39-44° N, 69-81° E.
            assert!((39.0..44.0).contains(&r.lat) && (69.0..81.0).contains(&r.lon));
            let mut codes: Vec<_> = r.districts.iter().map(|d| d.code).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), r.districts.len(), "{code}");
        }
    }
}
