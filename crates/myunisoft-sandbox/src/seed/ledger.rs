//! The seeded books of folders 4821 and 4822: opening balances, then for every month sales and
//! purchase invoices with VAT, customer and supplier payments in the bank journal (fully
//! lettered, partially lettered or left open), payroll and its payment, bank fees, cash sales
//! (4821), foreign-currency invoices; a few months of 2025 (closed year); pending entries
//! awaiting validation. Deterministic (seeded generator), every entry balanced to the cent.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::super::dates::ymd;
use super::super::world::{catalog, lettering, Entry, Folder, Ids, Line, LineAxis, LineSection};
use super::thirds;

/// Nothing is dated after this day.
const LAST_DAY: (i32, u32, u32) = (2026, 11, 20);

/// Units of foreign currency per euro.
fn rate(currency: &str) -> Decimal {
    match currency {
        "GBP" => Decimal::new(8512, 4),
        "CHF" => Decimal::new(9412, 4),
        _ => Decimal::new(10489, 4),
    }
}

fn round(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// One line before ids are given.
struct Draft {
    account: i64,
    label: String,
    debit: Decimal,
    credit: Decimal,
    deadline: NaiveDate,
    piece: Option<String>,
    piece2: Option<String>,
    currency: Option<(String, Decimal)>,
    payment_type_id: Option<i64>,
    analytics: Vec<LineAxis>,
}

impl Draft {
    fn new(
        account: i64,
        label: &str,
        debit: Decimal,
        credit: Decimal,
        deadline: NaiveDate,
    ) -> Self {
        Draft {
            account,
            label: label.chars().take(50).collect(),
            debit,
            credit,
            deadline,
            piece: None,
            piece2: None,
            currency: None,
            payment_type_id: None,
            analytics: Vec::new(),
        }
    }

    fn invoice(mut self, number: &str) -> Self {
        self.piece2 = Some(number.to_owned());
        self
    }
}

/// A third party the ledger invoices or pays.
#[derive(Clone)]
struct Partner {
    account: i64,
    name: String,
    payment_type_id: Option<i64>,
    deadline_id: Option<u8>,
    currency: Option<&'static str>,
}

struct Book<'a> {
    folder: &'a mut Folder,
    ids: &'a mut Ids,
    rng: fastrand::Rng,
    sequence: u32,
}

pub(super) fn post(folder: &mut Folder, ids: &mut Ids) {
    if folder.generated {
        return;
    }
    let seed = u64::try_from(folder.id()).unwrap_or_default();
    let mut book = Book { folder, ids, rng: fastrand::Rng::with_seed(seed), sequence: 0 };
    book.opening();
    for month in [10, 11, 12] {
        book.month(2025, month);
    }
    for month in 1..=11 {
        book.month(2026, month);
    }
    book.pending();
}

impl Book<'_> {
    fn account(&self, number: &str) -> i64 {
        self.folder.account_by_number(number).map_or(0, |a| a.id)
    }

    fn diary(&self, code: &str) -> i64 {
        self.folder.diary_by_code(code).map_or(0, |d| d.id)
    }

    fn amount(&mut self, from: i64, to: i64) -> Decimal {
        Decimal::new(self.rng.i64(from * 100..to * 100), 2)
    }

    /// Open partners of a root (`401`, `411`, `421`), in seed order.
    fn partners(&self, root: &str) -> Vec<Partner> {
        thirds::thirds(self.folder.id())
            .iter()
            .filter(|t| t.number.starts_with(root) && !t.closed)
            .filter(|t| t.info.as_ref().is_none_or(|i| !i.archived))
            .filter_map(|t| {
                let account = self.folder.account_by_number(t.number)?;
                let info = account.info.as_ref();
                Some(Partner {
                    account: account.id,
                    name: account.label.clone(),
                    payment_type_id: info.and_then(|i| i.payment_type_id),
                    deadline_id: info.and_then(|i| i.payment_deadline_id),
                    currency: t.info.as_ref().and_then(|i| i.currency),
                })
            })
            .collect()
    }

    fn record(
        &mut self,
        diary: &str,
        date: NaiveDate,
        source: &'static str,
        partner_id: Option<String>,
        drafts: Vec<Draft>,
    ) -> Vec<i64> {
        let lines: Vec<Line> = drafts
            .into_iter()
            .map(|d| Line {
                id: self.ids.line.next(),
                account_id: d.account,
                label: d.label,
                debit: d.debit,
                credit: d.credit,
                deadline: Some(d.deadline),
                piece: d.piece,
                piece2: d.piece2,
                currency: d.currency,
                payment_type_id: d.payment_type_id,
                analytics: d.analytics,
                lettering: None,
            })
            .collect();
        let line_ids = lines.iter().map(|l| l.id).collect();
        let json = partner_id.as_ref().map(|p| format!("{{\"origin\":\"{p}\"}}"));
        let created = date.and_hms_opt(9, 0, 0).map_or(0, |t| t.and_utc().timestamp())
            + i64::from(self.sequence);
        self.folder.entries.push(Entry {
            id: self.ids.entry.next(),
            diary_id: self.diary(diary),
            date,
            period: None,
            partner_id,
            json,
            comment: None,
            source,
            created_at: created,
            accounted_at: date,
            attachments: Vec::new(),
            lines,
        });
        line_ids
    }

    /// Letters the first line of each entry's partner account with the next code.
    fn letter(&mut self, account: i64, lines: &[i64]) {
        if let Ok(code) = lettering::next_code(self.folder, account) {
            lettering::mark(self.folder, account, &code, lines);
        }
    }

    fn opening(&mut self) {
        let capital = self.folder.company.capital;
        let bank = capital + Decimal::new(1_385_000, 2);
        let cash = Decimal::new(35_000, 2);
        let date = ymd(2026, 1, 1);
        let lines = vec![
            Draft::new(self.account("512000"), "A NOUVEAUX BANQUE", bank, Decimal::ZERO, date),
            Draft::new(self.account("530000"), "A NOUVEAUX CAISSE", cash, Decimal::ZERO, date),
            Draft::new(self.account("101000"), "A NOUVEAUX CAPITAL", Decimal::ZERO, capital, date),
            Draft::new(
                self.account("110000"),
                "A NOUVEAUX REPORT",
                Decimal::ZERO,
                bank + cash - capital,
                date,
            ),
        ];
        self.record("40", date, "AN", None, lines);
    }

    fn month(&mut self, year: i32, month: u32) {
        let (foreign_clients, clients): (Vec<Partner>, Vec<Partner>) =
            self.partners("411").into_iter().partition(|p| p.currency.is_some());
        let (foreign_suppliers, suppliers): (Vec<Partner>, Vec<Partner>) =
            self.partners("401").into_iter().partition(|p| p.currency.is_some());
        for k in 0..4u32 {
            let day = 3 + 6 * k;
            let client = match foreign_clients.first() {
                Some(f) if k == 3 && month % 3 == 0 => f.clone(),
                _ => clients[(month as usize * 4 + k as usize) % clients.len()].clone(),
            };
            self.sale(ymd(year, month, day), &client, month * 4 + k);
        }
        for k in 0..3u32 {
            let day = 5 + 8 * k;
            let supplier = suppliers[(month as usize * 3 + k as usize) % suppliers.len()].clone();
            self.purchase(ymd(year, month, day), &supplier, k == 0);
        }
        let foreign = foreign_suppliers.first().cloned();
        if let Some(supplier) = foreign.filter(|_| month % 3 == 2) {
            self.purchase(ymd(year, month, 11), &supplier, true);
        }
        if year == 2026 {
            self.payroll(year, month);
            self.bank_fees(ymd(year, month, 6));
            if self.folder.company.analytics {
                self.cash_sales(year, month);
            }
        }
    }

    fn due_date(date: NaiveDate, deadline_id: Option<u8>) -> NaiveDate {
        let Some((_, _, days, end_month)) = deadline_id.and_then(catalog::payment_deadline) else {
            return date + Days::new(30);
        };
        let due = date + Days::new(u64::from(days));
        if !end_month {
            return due;
        }
        let next = if due.month() == 12 {
            ymd(due.year() + 1, 1, 1)
        } else {
            ymd(due.year(), due.month() + 1, 1)
        };
        next.pred_opt().unwrap_or(due)
    }

    /// Analytics of 4821's revenue and raw-material lines: split over activities and shops.
    fn analytics(&self, amount: Decimal, sales: bool) -> Vec<LineAxis> {
        if !self.folder.company.analytics {
            return Vec::new();
        }
        let section = |code: &str| {
            self.folder.sections.iter().find(|s| s.code == code).map(|s| (s.id, s.axis_id))
        };
        let (Some(boul), Some(pati), Some(port), Some(halles)) =
            (section("BOUL"), section("PATI"), section("PORT"), section("HALLES"))
        else {
            return Vec::new();
        };
        let first = round(amount * Decimal::new(70, 2));
        let activities = if sales {
            vec![
                LineSection { section_id: boul.0, rate: Decimal::new(70, 0), amount: first },
                LineSection {
                    section_id: pati.0,
                    rate: Decimal::new(30, 0),
                    amount: amount - first,
                },
            ]
        } else {
            vec![LineSection { section_id: boul.0, rate: Decimal::new(100, 0), amount }]
        };
        let shop = if sales { port.0 } else { halles.0 };
        vec![
            LineAxis { axis_id: boul.1, sections: activities },
            LineAxis {
                axis_id: port.1,
                sections: vec![LineSection {
                    section_id: shop,
                    rate: Decimal::new(100, 0),
                    amount,
                }],
            },
        ]
    }

    fn sale(&mut self, date: NaiveDate, client: &Partner, n: u32) {
        self.sequence += 1;
        let number =
            format!("FV{:02}{:02}{:02}", date.year() % 100, date.month(), self.sequence % 100);
        let port = self.folder.company.analytics;
        let (revenue, vat_account, vat_rate) = match (port, n % 3) {
            (true, 0) => ("701000", "445713", Decimal::new(10, 0)),
            (true, _) => ("701000", "445715", Decimal::new(55, 1)),
            (false, 0) => ("707000", "445712", Decimal::new(20, 0)),
            (false, _) => ("706000", "445712", Decimal::new(20, 0)),
        };
        let net = self.amount(900, 7000);
        let vat = round(net * vat_rate / Decimal::ONE_HUNDRED);
        let gross = net + vat;
        let due = Self::due_date(date, client.deadline_id);
        let mut receivable =
            Draft::new(client.account, &client.name, gross, Decimal::ZERO, due.max(date))
                .invoice(&number);
        receivable.payment_type_id = client.payment_type_id;
        if let Some(currency) = client.currency {
            receivable.currency = Some((currency.to_owned(), round(gross * rate(currency))));
        }
        let mut income = Draft::new(self.account(revenue), &client.name, Decimal::ZERO, net, date)
            .invoice(&number);
        income.analytics = self.analytics(net, true);
        let tax = Draft::new(
            self.account(vat_account),
            &format!("{} TVA", client.name),
            Decimal::ZERO,
            vat,
            date,
        )
        .invoice(&number);
        let api = n % 2 == 0;
        let partner_id = api.then(|| format!("sandbox-{}-{number}", self.folder.id()));
        let lines = self.record(
            "02",
            date,
            if api { "API" } else { "E" },
            partner_id,
            vec![receivable, income, tax],
        );
        self.settle(client, lines[0], gross, date, n % 7, true);
    }

    fn purchase(&mut self, date: NaiveDate, supplier: &Partner, raw_material: bool) {
        self.sequence += 1;
        let number =
            format!("A{:02}{:02}{:03}", date.year() % 100, date.month(), self.sequence % 1000);
        let port = self.folder.company.analytics;
        let (expense, vat_rate) = match (raw_material, port) {
            (true, true) => ("601000", Decimal::new(55, 1)),
            (true, false) => ("607000", Decimal::new(20, 0)),
            (false, true) => ("606100", Decimal::new(20, 0)),
            (false, false) => ("615500", Decimal::new(20, 0)),
        };
        let net = self.amount(90, 2400);
        let vat = if supplier.currency.is_some() {
            Decimal::ZERO
        } else {
            round(net * vat_rate / Decimal::ONE_HUNDRED)
        };
        let gross = net + vat;
        let due = Self::due_date(date, supplier.deadline_id);
        let mut payable = Draft::new(supplier.account, &supplier.name, Decimal::ZERO, gross, due)
            .invoice(&number);
        payable.payment_type_id = supplier.payment_type_id;
        let mut cost = Draft::new(self.account(expense), &supplier.name, net, Decimal::ZERO, date)
            .invoice(&number);
        if raw_material {
            cost.analytics = self.analytics(net, false);
        }
        if let Some(currency) = supplier.currency {
            let r = rate(currency);
            payable.currency = Some((currency.to_owned(), round(gross * r)));
            cost.currency = Some((currency.to_owned(), round(net * r)));
        }
        let mut lines = vec![payable, cost];
        if !vat.is_zero() {
            lines.push(
                Draft::new(
                    self.account("445660"),
                    &format!("{} TVA", supplier.name),
                    vat,
                    Decimal::ZERO,
                    date,
                )
                .invoice(&number),
            );
        }
        let ids = self.record("01", date, "E", None, lines);
        let fate = if self.sequence % 5 == 0 { 6 } else { 0 };
        self.settle(supplier, ids[0], gross, date, fate, false);
    }

    /// Pays an invoice line in the bank journal: fates 0–4 pay it in full (complete lettering),
    /// 5 pays 60 % (partial lettering), 6 leaves it open. Nothing is paid after [`LAST_DAY`].
    fn settle(
        &mut self,
        partner: &Partner,
        invoice_line: i64,
        gross: Decimal,
        date: NaiveDate,
        fate: u32,
        customer: bool,
    ) {
        if fate == 6 {
            return;
        }
        let paid = if fate == 5 { round(gross * Decimal::new(60, 2)) } else { gross };
        let on = date + Days::new(12 + u64::from(fate) * 3);
        let (y, m, d) = LAST_DAY;
        if on > ymd(y, m, d) || (date.year() == 2025 && on.year() == 2026) {
            return;
        }
        let bank = self.account("512000");
        let label = if customer {
            format!("VIR RECU {}", partner.name)
        } else {
            format!("VIR EMIS {}", partner.name)
        };
        let (bank_line, partner_line) = if customer {
            (
                Draft::new(bank, &label, paid, Decimal::ZERO, on),
                Draft::new(partner.account, &label, Decimal::ZERO, paid, on),
            )
        } else {
            (
                Draft::new(bank, &label, Decimal::ZERO, paid, on),
                Draft::new(partner.account, &label, paid, Decimal::ZERO, on),
            )
        };
        let mut partner_line = partner_line;
        partner_line.payment_type_id = partner.payment_type_id;
        partner_line.piece = Some(format!("VIR{}", on.format("%y%m%d")));
        let ids = self.record("15", on, "IB", None, vec![bank_line, partner_line]);
        self.letter(partner.account, &[invoice_line, ids[1]]);
    }

    fn payroll(&mut self, year: i32, month: u32) {
        let employees = self.partners("421");
        let date = ymd(year, month, 25);
        let (mut gross_total, mut employer_total, mut social_total) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut nets = Vec::new();
        for employee in &employees {
            let gross = self.amount(1900, 2900);
            let employee_share = round(gross * Decimal::new(22, 2));
            let employer_share = round(gross * Decimal::new(42, 2));
            gross_total += gross;
            employer_total += employer_share;
            social_total += employee_share + employer_share;
            nets.push((employee.clone(), gross - employee_share));
        }
        let label = format!("SALAIRES {:02}/{year}", month);
        let mut lines = vec![
            Draft::new(self.account("641000"), &label, gross_total, Decimal::ZERO, date),
            Draft::new(self.account("645100"), &label, employer_total, Decimal::ZERO, date),
            Draft::new(self.account("431000"), &label, Decimal::ZERO, social_total, date),
        ];
        lines.extend(
            nets.iter().map(|(e, net)| Draft::new(e.account, &e.name, Decimal::ZERO, *net, date)),
        );
        let payroll_lines = self.record("30", date, "P", None, lines);
        let paid_on = ymd(year, month, 28);
        let (y, m, d) = LAST_DAY;
        if paid_on > ymd(y, m, d) {
            return;
        }
        let total: Decimal = nets.iter().map(|(_, n)| *n).sum();
        let mut payment = vec![Draft::new(
            self.account("512000"),
            &format!("VIREMENT {label}"),
            Decimal::ZERO,
            total,
            paid_on,
        )];
        payment.extend(
            nets.iter()
                .map(|(e, net)| Draft::new(e.account, &e.name, *net, Decimal::ZERO, paid_on)),
        );
        let payment_lines = self.record("15", paid_on, "IB", None, payment);
        for (i, (employee, _)) in nets.iter().enumerate() {
            self.letter(employee.account, &[payroll_lines[3 + i], payment_lines[1 + i]]);
        }
    }

    fn bank_fees(&mut self, date: NaiveDate) {
        let fee = Decimal::new(1250, 2);
        let lines = vec![
            Draft::new(self.account("627000"), "FRAIS TENUE DE COMPTE", fee, Decimal::ZERO, date),
            Draft::new(self.account("512000"), "FRAIS TENUE DE COMPTE", Decimal::ZERO, fee, date),
        ];
        self.record("15", date, "IB", None, lines);
    }

    fn cash_sales(&mut self, year: i32, month: u32) {
        let mut deposited = Decimal::ZERO;
        for day in [8, 22] {
            let date = ymd(year, month, day);
            let (y, m, d) = LAST_DAY;
            if date > ymd(y, m, d) {
                continue;
            }
            let net = self.amount(600, 1800);
            let vat = round(net * Decimal::new(55, 1) / Decimal::ONE_HUNDRED);
            let label = format!("VENTES COMPTOIR {}", date.format("%d/%m"));
            let mut income = Draft::new(self.account("701000"), &label, Decimal::ZERO, net, date);
            income.analytics = self.analytics(net, true);
            let lines = vec![
                Draft::new(self.account("530000"), &label, net + vat, Decimal::ZERO, date),
                income,
                Draft::new(self.account("445715"), &label, Decimal::ZERO, vat, date),
            ];
            self.record("18", date, "E", None, lines);
            deposited += net + vat;
        }
        if deposited.is_zero() {
            return;
        }
        let date = ymd(year, month, 23);
        let lines = vec![
            Draft::new(self.account("512000"), "REMISE ESPECES", deposited, Decimal::ZERO, date),
            Draft::new(self.account("530000"), "REMISE ESPECES", Decimal::ZERO, deposited, date),
        ];
        self.record("15", date, "REM_BQ", None, lines);
    }

    /// Purchase invoices awaiting validation (`ENTRIES_TEMP`): two sent by a partner (with a
    /// partner id), one from OCR.
    fn pending(&mut self) {
        let suppliers: Vec<Partner> =
            self.partners("401").into_iter().filter(|p| p.currency.is_none()).collect();
        for (i, supplier) in suppliers.iter().take(3).enumerate() {
            let date = ymd(2026, 11, 12 + i as u32);
            let net = self.amount(100, 900);
            let vat = round(net * Decimal::new(20, 0) / Decimal::ONE_HUNDRED);
            let number = format!("PEND{}{}", self.folder.id(), i + 1);
            let mut payable = Draft::new(
                supplier.account,
                &supplier.name,
                Decimal::ZERO,
                net + vat,
                date + Days::new(30),
            )
            .invoice(&number);
            payable.payment_type_id = supplier.payment_type_id;
            let drafts = vec![
                payable,
                Draft::new(self.account("606300"), &supplier.name, net, Decimal::ZERO, date)
                    .invoice(&number),
                Draft::new(
                    self.account("445660"),
                    &format!("{} TVA", supplier.name),
                    vat,
                    Decimal::ZERO,
                    date,
                )
                .invoice(&number),
            ];
            let partner_id =
                (i < 2).then(|| format!("sandbox-pending-{}-{}", self.folder.id(), i + 1));
            let source = if partner_id.is_some() { "API" } else { "O" };
            self.record("01", date, source, partner_id, drafts);
            if let Some(entry) = self.folder.entries.pop() {
                self.folder.pending.push(entry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::world;

    #[test]
    fn every_seeded_entry_balances_with_one_side_per_line() {
        let w = world();
        for folder in w.folders.values() {
            for entry in folder.entries.iter().chain(&folder.pending) {
                let debit: rust_decimal::Decimal = entry.lines.iter().map(|l| l.debit).sum();
                let credit: rust_decimal::Decimal = entry.lines.iter().map(|l| l.credit).sum();
                assert_eq!(debit, credit, "entry {} of {}", entry.id, folder.id());
                for line in &entry.lines {
                    assert!(line.debit.is_zero() != line.credit.is_zero(), "line {}", line.id);
                    assert!(line.debit.scale() <= 2 && line.credit.scale() <= 2);
                    assert!(folder.account(line.account_id).is_some_and(|a| !a.closed));
                    assert!(line.label.chars().count() <= 50);
                    for axis in &line.analytics {
                        let total: rust_decimal::Decimal =
                            axis.sections.iter().map(|s| s.amount).sum();
                        assert_eq!(total, line.debit + line.credit);
                    }
                }
                assert!(folder.diary(entry.diary_id).is_some());
            }
        }
    }

    #[test]
    fn the_ledger_has_every_kind_of_situation() {
        let w = world();
        let port = &w.folders[&4821];
        let lines = || port.entries.iter().flat_map(|e| &e.lines);
        assert!(port.entries.len() > 150, "{}", port.entries.len());
        assert!(lines().any(|l| l.lettering.as_ref().is_some_and(|t| !t.partial)));
        assert!(lines().any(|l| l.lettering.as_ref().is_some_and(|t| t.partial)));
        assert!(lines().any(|l| l.currency.is_some()));
        assert!(lines().any(|l| !l.analytics.is_empty()));
        assert!(port.entries.iter().any(|e| e.date.format("%Y").to_string() == "2025"));
        assert_eq!(port.pending.len(), 3);
        assert!(port.entries.iter().any(|e| e.partner_id.is_some()));
        assert!(w.folders[&4823].entries.is_empty());
    }
}
