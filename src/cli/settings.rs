//! The command line's arguments turned into the plain settings the commands take: the window,
//! the measures (weights, anchor, targets, filters), a report's and a grouping's options, with
//! the configuration file's values under the flags.

use super::*;

pub(super) fn year_month(s: &str, flag: &str) -> Result<(i32, u32)> {
    let bad = || {
        Error::Usage(format!(
            "{flag} '{s}': expected YYYY-MM, e.g. 2024-06{}",
            if flag == "--month" {
                ", or previous or current"
            } else {
                ""
            }
        ))
    };
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || !(1..=9999).contains(&y) {
        return Err(Error::Usage(format!(
            "{flag} '{s}': month {m} of year {y} does not exist"
        )));
    }
    Ok((y, m))
}

impl SourceArgs {
    pub(super) fn source(&self, inputs: &[PathBuf], config: &Config) -> Result<Source> {
        let tz: Tz = match &self.tz {
            Some(tz) => tz.parse().map_err(|_| {
                Error::Usage(format!(
                    "--tz '{tz}': not an IANA time zone name (e.g. UTC, Europe/Berlin, America/New_York)"
                ))
            })?,
            None => config.tz.unwrap_or(Tz::UTC),
        };
        let mut tz_abbrev = crate::ingest::tz_abbrev::Abbreviations::default();
        for spec in &self.tz_abbrev {
            tz_abbrev.set(spec).map_err(Error::Usage)?;
        }
        let mut filters = config.filters.clone();
        for w in &self.where_ {
            filters.push(Filter::parse(w).map_err(|m| Error::Usage(format!("--where {m}")))?);
        }
        Ok(Source {
            filters,
            store: self.store.clone(),
            configured_vendors: config
                .vendors
                .iter()
                .map(|v| v.name.clone())
                .chain(config.sources.iter().map(|s| s.name.clone()))
                .collect(),
            inputs: inputs.to_vec(),
            tz,
            tz_abbrev,
            vendor: self.vendor.clone().or_else(|| config.vendor.clone()),
            anchor: match self.anchor {
                Some(AnchorArg::Started) => Anchor::Started,
                Some(AnchorArg::Detected) => Anchor::Detected,
                None => config.anchor.unwrap_or(Anchor::Started),
            },
            columns: config.columns.clone(),
            input_limit: match self.max_input_mb {
                None => crate::ingest::default_input_limit(),
                Some(mb) if mb.is_finite() && mb >= 0.0 => {
                    crate::ingest::InputLimit::Bytes((mb * 1_048_576.0) as u64)
                }
                Some(mb) => {
                    return Err(Error::Usage(format!(
                        "--max-input-mb {mb}: a size in MB, 0 or more"
                    )));
                }
            },
        })
    }
}

impl WindowArgs {
    pub(super) fn spec(&self) -> Result<WindowSpec> {
        Ok(match (&self.month, self.from, self.to) {
            (Some(m), _, _) if m.trim().eq_ignore_ascii_case("current") => WindowSpec::MonthsAgo(0),
            (Some(m), _, _) if m.trim().eq_ignore_ascii_case("previous") => {
                WindowSpec::MonthsAgo(1)
            }
            (Some(m), _, _) => {
                let (year, month) = year_month(m, "--month")?;
                WindowSpec::Month { year, month }
            }
            (None, None, None) => WindowSpec::Auto,
            (None, from, to) => WindowSpec::Range { from, to },
        })
    }
}

impl MeasureArgs {
    /// Weights: the flag's preset, else the config's, then the config's `[weights]` on top.
    pub(super) fn weights(&self, config: &Config) -> Weights {
        let preset = match self.weights {
            Some(WeightsArg::Statuspage) => WeightPreset::Statuspage,
            Some(WeightsArg::Strict) => WeightPreset::Strict,
            None => config.weights.unwrap_or(WeightPreset::Statuspage),
        };
        Weights::preset(preset).with_overrides(config.weight_overrides)
    }

    /// The targets: `--sla` (else `[report] sla`, else 99.9) as the default, and the
    /// config's `[[sla]]` rules.
    pub(super) fn targets(&self, config: &Config) -> Result<SlaTargets> {
        if let Some(sla) = self.sla
            && !(sla > 0.0 && sla <= 100.0)
        {
            return Err(Error::Usage(format!(
                "--sla {sla}: a target is a percentage above 0 and at most 100"
            )));
        }
        Ok(SlaTargets {
            default: self.sla.or(config.sla).unwrap_or(99.9),
            rules: config.rules.clone(),
        })
    }
}

impl ReportCmd {
    pub fn settings(&self, config: &Config) -> Result<ReportArgs> {
        let mut formats = Formats {
            csv: false,
            json: false,
            html: false,
            charts: false,
            raw_csv: self.raw_csv,
        };
        for f in &self.formats {
            match f.trim().to_ascii_lowercase().as_str() {
                "csv" => formats.csv = true,
                "json" => formats.json = true,
                "html" => formats.html = true,
                "charts" => formats.charts = true,
                "" => {}
                other => {
                    return Err(Error::Usage(format!(
                        "--formats: unknown output '{other}' (available: csv, json, html, charts)"
                    )));
                }
            }
        }
        let (by, cut) = grouping(&self.by, self.period.as_deref())?;
        Ok(ReportArgs {
            by,
            cut: cut.unwrap_or(Cut::Month),
            source: self.source.source(&self.inputs, config)?,
            window: self.window.spec()?,
            weights: self.measure.weights(config),
            sla: self.measure.targets(config)?,
            out: self.out.clone(),
            formats,
            quiet: self.measure.quiet,
            config: config.clone(),
        })
    }
}

impl MetricsCmd {
    pub fn settings(&self, config: &Config) -> Result<MetricsArgs> {
        let (by, cut) = grouping(&self.by, self.period.as_deref())?;
        Ok(MetricsArgs {
            source: self.source.source(&self.inputs, config)?,
            window: self.window.spec()?,
            by,
            cut: cut.unwrap_or(Cut::All),
            format: match self.format {
                FormatArg::Table => OutFormat::Table,
                FormatArg::Csv => OutFormat::Csv,
                FormatArg::Json => OutFormat::Json,
            },
            raw_csv: self.raw_csv,
        })
    }
}

/// `--by` keys (each once) and `--period`; a period named among the keys (`--by month`) is
/// the period, and two different periods are a usage error.
pub(super) fn grouping(
    by: &[String],
    period: Option<&str>,
) -> Result<(Vec<GroupKey>, Option<Cut>)> {
    let mut cut = match period {
        Some(p) => Some(Cut::parse(p).ok_or_else(|| {
            Error::Usage(format!(
                "--period '{p}': expected one of {}",
                Cut::NAMES.join(", ")
            ))
        })?),
        None => None,
    };
    let mut keys: Vec<GroupKey> = Vec::new();
    for b in by.iter().filter(|b| !b.trim().is_empty()) {
        if let Some(c) = Cut::parse(b).filter(|c| *c != Cut::All) {
            if cut.is_some_and(|k| k != c) {
                return Err(Error::Usage(format!(
                    "--by {b} and --period {}: one period at a time",
                    period.unwrap_or_default()
                )));
            }
            cut = Some(c);
            continue;
        }
        let k = GroupKey::parse(b)
            .ok_or_else(|| Error::Usage(format!("--by '{b}': not a key name")))?;
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    Ok((keys, cut))
}

impl GenerateCmd {
    pub fn settings(&self) -> Result<commands::generate::GenerateArgs> {
        let (start_year, start_month) = year_month(&self.start, "--start")?;
        if self.months == 0 {
            return Err(Error::Usage("--months must be at least 1".into()));
        }
        Ok(commands::generate::GenerateArgs {
            options: GenOptions {
                incidents: self.incidents,
                seed: self.seed,
                start_year,
                start_month,
                months: self.months,
                vendors: self.vendors.max(1),
            },
            out: self.out.clone(),
        })
    }
}
