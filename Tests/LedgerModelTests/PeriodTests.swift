import Testing
@testable import LedgerModel

// MARK: - Helpers

private func month(_ year: Int, _ m: Int) throws -> Month {
    try #require(Month(year: year, month: m))
}

private func period(_ text: String) throws -> Period {
    try #require(Period(text), "expected \"\(text)\" to parse")
}

/// SplitMix64: a small seeded generator so the property tests are deterministic.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Month

@Test func monthIndexCountsFromYearZeroAndSplitsBackIntoYearAndMonth() throws {
    let m = try month(2014, 3)
    #expect(m.index == 2014 * 12 + 2)
    #expect(m.year == 2014)
    #expect(m.month == 3)
    #expect(m.description == "2014-03")
    #expect(Month(index: 2014 * 12 + 11).description == "2014-12")
}

@Test(arguments: [(0, 1), (10000, 1), (2014, 0), (2014, 13), (2014, -1)])
func monthRejectsOutOfRangeYearOrMonth(year: Int, m: Int) {
    #expect(Month(year: year, month: m) == nil)
}

@Test func monthsStrideAndCompareAsIntegers() throws {
    let dec = try month(2014, 12)
    let jan = try month(2015, 1)
    #expect(dec.advanced(by: 1) == jan)
    #expect(jan.advanced(by: -1) == dec)
    #expect(dec.distance(to: try month(2015, 12)) == 12)
    #expect(dec < jan)
    #expect(Array(dec...jan.advanced(by: 1)).map(\.description) == ["2014-12", "2015-01", "2015-02"])
}

@Test func monthFirstAndLastDayHandleLeapFebruaries() throws {
    #expect(try month(2016, 2).lastDay.description == "2016-02-29")
    #expect(try month(2015, 2).lastDay.description == "2015-02-28")
    #expect(try month(2000, 2).lastDay.description == "2000-02-29")
    #expect(try month(1900, 2).lastDay.description == "1900-02-28")
    #expect(try month(2014, 4).lastDay.description == "2014-04-30")
    #expect(try month(2014, 12).lastDay.description == "2014-12-31")
    #expect(try month(2014, 12).firstDay.description == "2014-12-01")
}

// MARK: - Parsing

@Test(arguments: [
    ("2015/16", "2015-04", "2016-03", Period.Kind.financialYear),
    ("1999/00", "1999-04", "2000-03", .financialYear),
    ("2015/16 Q1", "2015-04", "2015-06", .quarter),
    ("2015/16 Q2", "2015-07", "2015-09", .quarter),
    ("2015/16 Q3", "2015-10", "2015-12", .quarter),
    ("2015/16 Q4", "2016-01", "2016-03", .quarter),
    ("2014-12", "2014-12", "2014-12", .month),
    ("2014", "2014-01", "2014-12", .calendarYear),
    ("2021-09..2022-08", "2021-09", "2022-08", .span),
    ("2014..2015", "2014-01", "2015-12", .span),
    ("2015/16 Q2..2016/17", "2015-07", "2017-03", .span),
    ("2014-12..2014-12", "2014-12", "2014-12", .month),
])
func parsesEveryFormIntoItsMonthRange(text: String, first: String, last: String, kind: Period.Kind) throws {
    let p = try period(text)
    #expect(p.first.description == first)
    #expect(p.last.description == last)
    #expect(p.kind == kind)
}

@Test(arguments: [
    "2015/16", "1999/00", "2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4",
    "2014-12", "2014-01", "2014", "0001", "9999-12", "2021-09..2022-08", "2015-06..2015-07",
])
func canonicalTextRoundTripsUnchanged(text: String) throws {
    let p = try period(text)
    #expect(p.description == text)
    #expect(Period(p.description) == p)
    #expect(try period(p.description).description == p.description)
}

@Test(arguments: [
    "2015/17", "2015/16 Q5", "2015/16 Q0", "2015/16Q1", "2015/16  Q1", "2015/16 q1", "2014-13", "2014-00",
    " 2014", "2014 ", "2015-03..2014-01", "15/16", "", "2014-1", "0000", "9999/00", "10000", "2014-12-01",
    "2014..", "..2014", "2014...2015", "2014..2015..2016", "2021-09..2022-08..2023-01", "2014-01 .. 2014-02",
    "2O14", "+014", "２０１４",
])
func rejectsMalformedText(text: String) {
    #expect(Period(text) == nil)
}

@Test func calendarYearEqualsTheSpanOfItsMonthsAndNamesItselfAsAYear() throws {
    let year = try period("2014")
    let span = try period("2014-01..2014-12")
    #expect(year == span)
    #expect(year.hashValue == span.hashValue)
    #expect(span.description == "2014")
    #expect(Set([year, span]).count == 1)
}

@Test func spanCoveringAprilToMarchNamesItselfAsTheFinancialYear() throws {
    let span = try period("2015-04..2016-03")
    #expect(span.kind == .financialYear)
    #expect(span.description == "2015/16")
    #expect(span == Period.financialYear(startingIn: 2015))
    #expect(try period("2015/16 Q1..2015/16 Q4").description == "2015/16")
    #expect(try period("2015-04..2015-06").description == "2015/16 Q1")
}

@Test func spansNotAlignedToQuartersOrYearsStaySpans() throws {
    #expect(try period("2015-05..2015-07").kind == .span)
    #expect(try period("2015-02..2016-01").kind == .span)
    #expect(try period("2015-01..2015-02").kind == .span)
}

// MARK: - Constructors

@Test func quarterFourOfAFinancialYearFallsInTheNextCalendarYear() throws {
    let q4 = Period.quarter(4, ofFinancialYearStartingIn: 2015)
    #expect(q4.first == (try month(2016, 1)))
    #expect(q4.last == (try month(2016, 3)))
    #expect(q4.description == "2015/16 Q4")
}

@Test func constructorsMatchTheirParsedText() throws {
    #expect(Period.financialYear(startingIn: 2015) == (try period("2015/16")))
    #expect(Period.calendarYear(2014) == (try period("2014")))
    #expect(Period.month(try month(2014, 12)) == (try period("2014-12")))
    for q in 1...4 {
        #expect(Period.quarter(q, ofFinancialYearStartingIn: 2015) == (try period("2015/16 Q\(q)")))
    }
}

@Test func initFromMonthsRejectsBackwardsRanges() throws {
    #expect(Period(first: try month(2015, 3), last: try month(2014, 1)) == nil)
    let single = try #require(Period(first: try month(2015, 3), last: try month(2015, 3)))
    #expect(single.kind == .month)
}

// MARK: - Months and containment

@Test func monthCountAndMonthsListCoverTheRangeInOrder() throws {
    #expect(try period("2014-12").monthCount == 1)
    #expect(try period("2015/16 Q3").monthCount == 3)
    #expect(try period("2015/16").monthCount == 12)
    #expect(try period("2014").monthCount == 12)
    #expect(try period("2021-09..2023-02").monthCount == 18)
    #expect(try period("2015/16 Q4").months.map(\.description) == ["2016-01", "2016-02", "2016-03"])
    #expect(try period("2015/16").months.count == 12)
}

@Test func financialYearContainsItsFourQuartersAndTwelveMonths() throws {
    let fy = try period("2015/16")
    for q in 1...4 {
        let quarter = Period.quarter(q, ofFinancialYearStartingIn: 2015)
        #expect(fy.contains(quarter))
        #expect(fy.overlaps(quarter))
    }
    for m in fy.months {
        #expect(fy.contains(m))
        #expect(fy.contains(Period.month(m)))
    }
    #expect(!fy.contains(try month(2015, 3)))
    #expect(!fy.contains(try month(2016, 4)))
    #expect(!fy.contains(Period.quarter(1, ofFinancialYearStartingIn: 2016)))
}

@Test func calendarYearOverlapsButDoesNotContainTheFinancialYearStartingInIt() throws {
    let year = try period("2014")
    let fy = try period("2014/15")
    #expect(year.overlaps(fy))
    #expect(fy.overlaps(year))
    #expect(!year.contains(fy))
    #expect(!fy.contains(year))
}

@Test func adjacentPeriodsDoNotOverlap() throws {
    #expect(!(try period("2014/15")).overlaps(try period("2015/16")))
    #expect(!(try period("2015/16 Q1")).overlaps(try period("2015/16 Q2")))
    #expect(try period("2015-06..2015-07").overlaps(try period("2015/16 Q2")))
    #expect(try period("2015/16").contains(try period("2015/16")))
}

// MARK: - Previous and same time last year

@Test(arguments: [
    ("2015/16", "2014/15"),
    ("2015/16 Q1", "2014/15 Q4"),
    ("2015/16 Q4", "2015/16 Q3"),
    ("2014-01", "2013-12"),
    ("2014-07", "2014-06"),
    ("2014", "2013"),
    ("2021-09..2022-08", "2020-09..2021-08"),
    ("2015-05..2015-07", "2015-02..2015-04"),
    ("2000/01", "1999/00"),
])
func previousIsTheSameLengthImmediatelyBefore(text: String, expected: String) throws {
    let p = try period(text)
    #expect(p.previous.description == expected)
    #expect(p.previous.monthCount == p.monthCount)
    #expect(p.previous.last.advanced(by: 1) == p.first)
}

@Test(arguments: [
    ("2015/16", "2014/15"),
    ("2015/16 Q1", "2014/15 Q1"),
    ("2015/16 Q4", "2014/15 Q4"),
    ("2014-01", "2013-01"),
    ("2014", "2013"),
    ("2021-09..2022-08", "2020-09..2021-08"),
    ("2015-05..2015-07", "2014-05..2014-07"),
    ("2014-03..2016-02", "2013-03..2015-02"),
])
func sameTimeLastYearShiftsEveryMonthBackTwelve(text: String, expected: String) throws {
    let p = try period(text)
    #expect(p.sameTimeLastYear.description == expected)
    #expect(p.sameTimeLastYear.kind == p.kind)
}

// MARK: - Ordering

@Test func ordersByFirstMonthThenShorterFirst() throws {
    #expect(try period("2015/16 Q1") < period("2015/16"))
    #expect(try period("2015-04") < period("2015/16 Q1"))
    #expect(try period("2014/15") < period("2015-01"))
    #expect(try !(period("2015/16") < period("2015-04..2016-03")))
}

@Test func sortingAShuffledListGivesChronologicalOrder() throws {
    // Chronological: by first month, and shortest first where periods start together.
    let chronological = try [
        "2013", "2014-03", "2014-04..2014-05", "2014/15 Q1", "2014/15", "2014/15 Q2", "2014-12",
        "2015-01..2015-02", "2015", "2015/16", "2021-09..2022-08",
    ].map(period)
    var generator = SeededGenerator(state: 42)
    for _ in 0..<20 {
        #expect(chronological.shuffled(using: &generator).sorted() == chronological)
    }
}

// MARK: - Days

@Test func periodFirstAndLastDayIncludeLeapFebruaries() throws {
    #expect(try period("2015/16").firstDay.description == "2015-04-01")
    #expect(try period("2015/16").lastDay.description == "2016-03-31")
    #expect(try period("2015/16 Q1").lastDay.description == "2015-06-30")
    #expect(try period("2016-02").lastDay.description == "2016-02-29")
    #expect(try period("2015-02").lastDay.description == "2015-02-28")
    #expect(try period("1900-02").lastDay.description == "1900-02-28")
    #expect(try period("2000-02").lastDay.description == "2000-02-29")
    #expect(try period("2014").lastDay.description == "2014-12-31")
}

@Test func dayParsesISODatesAndPrintsThemZeroPadded() throws {
    let d = try #require(Day(iso: "2016-02-29"))
    #expect(d.year == 2016 && d.month == 2 && d.day == 29)
    #expect(d.description == "2016-02-29")
    #expect(d.monthOfYear == (try month(2016, 2)))
    let early = try #require(Day(year: 7, month: 3, day: 5))
    #expect(early.description == "0007-03-05")
    #expect(Day(iso: early.description) == early)
}

@Test(arguments: [
    "2015-02-29", "1900-02-29", "2014-04-31", "2014-13-01", "2014-00-10", "2014-01-00", "2014-01-32",
    "0000-01-01", "2014-1-01", "2014-01-1", "14-01-01", " 2014-01-01", "2014-01-01 ", "2014/01/01",
    "2014-01-01T00:00", "", "2014-0a-01",
])
func dayRejectsInvalidOrMalformedText(text: String) {
    #expect(Day(iso: text) == nil)
}

@Test func dayValidatesMonthLengthsAndLeapYears() {
    #expect(Day(year: 2000, month: 2, day: 29) != nil)
    #expect(Day(year: 2016, month: 2, day: 29) != nil)
    #expect(Day(year: 1900, month: 2, day: 29) == nil)
    #expect(Day(year: 2015, month: 2, day: 29) == nil)
    #expect(Day(year: 2015, month: 6, day: 31) == nil)
    #expect(Day(year: 2015, month: 7, day: 31) != nil)
    #expect(Day(year: 0, month: 1, day: 1) == nil)
    #expect(Day(year: 10000, month: 1, day: 1) == nil)
    #expect(Day(year: 9999, month: 12, day: 31) != nil)
}

@Test func daysCompareChronologically() throws {
    let days = try ["2014-12-31", "2015-01-01", "2015-01-02", "2015-02-01", "2016-01-01"].map {
        try #require(Day(iso: $0))
    }
    #expect(days.reversed().sorted() == days)
    for (a, b) in zip(days, days.dropFirst()) {
        #expect(a < b)
        #expect(!(b < a))
    }
}

// MARK: - Properties over random periods

@Test func randomPeriodsRoundTripAndChainToTheirPrevious() throws {
    var generator = SeededGenerator(state: 0x0075_7475_726E)
    let lowest = try month(1900, 1).index
    let highest = try month(2100, 12).index
    var kindsSeen = Set<Period.Kind>()
    for _ in 0..<2_000 {
        let p: Period
        let year = Int.random(in: 1900...2099, using: &generator)
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: p = .month(Month(index: Int.random(in: lowest...highest, using: &generator)))
        case 1: p = .quarter(Int.random(in: 1...4, using: &generator), ofFinancialYearStartingIn: year)
        case 2: p = .financialYear(startingIn: year)
        case 3: p = .calendarYear(year)
        default:
            let first = Month(index: Int.random(in: lowest...highest, using: &generator))
            p = try #require(Period(first: first, last: first.advanced(by: Int.random(in: 0..<60, using: &generator))))
        }
        kindsSeen.insert(p.kind)
        let text = p.description
        let parsed = try #require(Period(text), "\(text) did not parse")
        #expect(parsed == p)
        #expect(parsed.description == text)
        #expect(p.previous.last.advanced(by: 1) == p.first)
        #expect(p.previous.monthCount == p.monthCount)
        #expect(p.sameTimeLastYear.first.distance(to: p.first) == 12)
        #expect(p.months.count == p.monthCount)
        #expect(p.months.first == p.first && p.months.last == p.last)
        #expect(p.contains(p.first) && p.contains(p.last) && !p.contains(p.previous.last))
        #expect(p.previous < p && !p.overlaps(p.previous))
        #expect(p.firstDay <= p.lastDay)
        #expect(p.firstDay.monthOfYear == p.first && p.lastDay.monthOfYear == p.last)
    }
    #expect(kindsSeen == [.month, .quarter, .financialYear, .calendarYear, .span])
}
