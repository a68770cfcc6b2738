/// A straight-line map from data values to drawing coordinates.
///
/// Why our own: the report must be one file with no script, so charts are drawn here as
/// inline SVG; a scale is the one piece of arithmetic every chart needs.
struct LinearScale {
    var domain: ClosedRange<Double>
    /// Drawing coordinates for `domain.lowerBound` and `domain.upperBound` (a y scale runs downwards).
    var from: Double
    var to: Double

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return (from + to) / 2 }
        return from + (value - domain.lowerBound) / span * (to - from)
    }

    /// A step of 1, 2 or 5 × 10ⁿ that cuts `span` into at most about `count` intervals.
    static func niceStep(_ span: Double, count: Int) -> Double {
        guard span > 0, span.isFinite, count > 0 else { return 1 }
        let raw = span / Double(count)
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for multiple in [1.0, 2.0, 5.0, 10.0] where magnitude * multiple >= raw { return magnitude * multiple }
        return magnitude * 10
    }

    /// `low...high` widened outwards to whole steps, and the step: an axis that starts and
    /// ends on a labelled tick. An empty range grows to show something around its value.
    static func niceDomain(_ low: Double, _ high: Double, count: Int = 5) -> (domain: ClosedRange<Double>, step: Double) {
        // A non-finite figure (a ratio over zero) must not trap in the range below: draw 0–1 instead.
        guard low.isFinite, high.isFinite else { return (0...1, 0.2) }
        var (lo, hi) = (min(low, high), max(low, high))
        if lo == hi { (lo, hi) = lo == 0 ? (0, 1) : (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1) }
        let step = niceStep(hi - lo, count: count)
        return (((lo / step).rounded(.down) * step)...((hi / step).rounded(.up) * step), step)
    }

    /// The multiples of `step` inside the domain, from low to high.
    func ticks(step: Double) -> [Double] {
        guard step > 0 else { return [] }
        var ticks: [Double] = []
        var n = (domain.lowerBound / step).rounded(.up)
        while n * step <= domain.upperBound + step * 1e-9, ticks.count < 100 {
            ticks.append(n * step)
            n += 1
        }
        return ticks
    }
}

/// A coordinate as SVG text: at most one decimal, no trailing ".0" (short, and stable across runs).
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    // Coordinates live inside a view box of hundreds of units; the clamp only keeps `Int(_:)` from trapping.
    let tenths = Int((min(max(value, -1e12), 1e12) * 10).rounded())
    let sign = tenths < 0 ? "-" : ""
    let magnitude = tenths.magnitude
    return magnitude % 10 == 0 ? sign + String(magnitude / 10) : sign + "\(magnitude / 10).\(magnitude % 10)"
}

/// A line chart over time, drawn into an SVG element of a fixed view box.
///
/// x is in months (``Month/index``; the end of a month m is `m.index + 1`), so periods of
/// any length sit on one axis: a year is twelve units wide, a quarter three. The chart only
/// draws; what to draw is decided by the report.
struct SVGChart {
    let width: Double
    let height: Double
    let left: Double, right: Double, top: Double, bottom: Double
    let x: LinearScale
    let y: LinearScale
    /// Said by the `<title>` element: what a screen reader (and the DOM dump) reads.
    let title: String
    private var layers: [HTMLNode] = []
    /// Labels drawn last, above the lines.
    private var labels: [HTMLNode] = []

    init(title: String, months: ClosedRange<Double>, values: ClosedRange<Double>, width: Double = 640, height: Double = 250) {
        self.title = title
        self.width = width
        self.height = height
        (left, right, top, bottom) = (70, width - 18, 18, height - 34)
        x = LinearScale(domain: months, from: left, to: right)
        y = LinearScale(domain: values, from: bottom, to: top)
    }

    /// The plot area's edges, for callers placing notes.
    var plot: (left: Double, right: Double, top: Double, bottom: Double) { (left, right, top, bottom) }

    /// Horizontal grid lines and labels at each multiple of `step`, formatted by `format`.
    mutating func yAxis(step: Double, format: (Double) -> String) {
        var nodes: [HTMLNode] = []
        for tick in y.ticks(step: step) {
            let ty = svgNumber(y(tick))
            nodes.append(.el("line", ["class": "grid", "x1": svgNumber(left), "x2": svgNumber(right), "y1": ty, "y2": ty]))
            nodes.append(.el("text", ["class": "tick", "x": svgNumber(left - 6), "y": ty, "text-anchor": "end", "dy": "0.32em"],
                             .text(format(tick))))
        }
        nodes.append(.el("line", ["class": "axis", "x1": svgNumber(left), "x2": svgNumber(left), "y1": svgNumber(top), "y2": svgNumber(bottom)]))
        layers.append(.el("g", ["class": "y-axis"], children: nodes))
    }

    /// The time axis: a tick at each new year, the year's name centred in its span.
    mutating func timeAxis() {
        var nodes: [HTMLNode] = [
            .el("line", ["class": "axis", "x1": svgNumber(left), "x2": svgNumber(right), "y1": svgNumber(bottom), "y2": svgNumber(bottom)]),
        ]
        let firstYear = Int((x.domain.lowerBound / 12).rounded(.down))
        let lastYear = Int((x.domain.upperBound / 12).rounded(.up))
        let years = max(1, lastYear - firstYear)
        let every = years <= 10 ? 1 : years <= 20 ? 2 : 5
        for year in firstYear...lastYear {
            let boundary = Double(year * 12)
            if x.domain.contains(boundary) {
                let tx = svgNumber(x(boundary))
                nodes.append(.el("line", ["class": "axis", "x1": tx, "x2": tx, "y1": svgNumber(bottom), "y2": svgNumber(bottom + 5)]))
            }
            let middle = boundary + 6
            guard year % every == 0, x.domain.contains(middle) else { continue }
            nodes.append(.el("text", ["class": "tick", "x": svgNumber(x(middle)), "y": svgNumber(bottom + 18), "text-anchor": "middle"],
                             .text(String(year))))
        }
        layers.append(.el("g", ["class": "x-axis"], children: nodes))
    }

    /// A shaded stretch of time (the target period), named at its top.
    mutating func timeBand(_ months: ClosedRange<Double>, label: String, cssClass: String) {
        let x0 = x(max(months.lowerBound, x.domain.lowerBound)), x1 = x(min(months.upperBound, x.domain.upperBound))
        layers.append(.el("rect", ["class": cssClass, "x": svgNumber(x0), "y": svgNumber(top), "width": svgNumber(max(0, x1 - x0)),
                                   "height": svgNumber(bottom - top)]))
        labels.append(.el("text", ["class": "band-label", "x": svgNumber(x1 - 3), "y": svgNumber(top + 11), "text-anchor": "end"],
                          .text(label)))
    }

    /// A shaded range of values across the whole chart (a target band), named at its left.
    mutating func valueBand(_ values: ClosedRange<Double>, label: String) {
        let y0 = y(values.upperBound), y1 = y(values.lowerBound)
        layers.append(.el("rect", ["class": "value-band", "x": svgNumber(left), "y": svgNumber(y0), "width": svgNumber(right - left),
                                   "height": svgNumber(max(0, y1 - y0))]))
        labels.append(.el("text", ["class": "label", "x": svgNumber(left + 4), "y": svgNumber(y0 - 4)], .text(label)))
    }

    /// A line through `points` (months, value); with `dots`, a circle at each point.
    mutating func line(_ points: [(x: Double, y: Double)], cssClass: String, dots: Bool = false) {
        guard !points.isEmpty else { return }
        let coordinates = points.map { "\(svgNumber(x($0.x))),\(svgNumber(y($0.y)))" }.joined(separator: " ")
        var nodes: [HTMLNode] = []
        if points.count > 1 { nodes.append(.el("polyline", ["class": cssClass, "points": coordinates])) }
        if dots || points.count == 1 {
            for p in points {
                nodes.append(.el("circle", ["class": cssClass + "-dot", "cx": svgNumber(x(p.x)), "cy": svgNumber(y(p.y)), "r": "3.5"]))
            }
        }
        layers.append(.el("g", children: nodes))
    }

    /// A diamond at a point (the target), which stays legible without colour.
    mutating func diamond(at point: (x: Double, y: Double), cssClass: String) {
        let cx = x(point.x), cy = y(point.y), r = 5.5
        let corners = [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)].map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }
        layers.append(.el("polygon", ["class": cssClass, "points": corners.joined(separator: " ")]))
    }

    /// An open ring at a point (the value expected by now on the glide path).
    mutating func ring(at point: (x: Double, y: Double), cssClass: String) {
        layers.append(.el("circle", ["class": cssClass, "cx": svgNumber(x(point.x)), "cy": svgNumber(y(point.y)), "r": "5"]))
    }

    /// Words at a data point, nudged by (dx, dy) in drawing units.
    mutating func label(_ text: String, at point: (x: Double, y: Double), dx: Double = 0, dy: Double = -8, anchor: String = "middle") {
        var px = x(point.x) + dx
        // Keep labels inside the view box: a label at the right edge turns to read leftwards.
        var anchor = anchor
        if anchor == "middle", px > right - 30 { anchor = "end"; px = min(px, right) }
        labels.append(.el("text", ["class": "label", "x": svgNumber(px), "y": svgNumber(y(point.y) + dy), "text-anchor": anchor],
                          .text(text)))
    }

    /// Words at a place in drawing units (a note in an empty chart).
    mutating func note(_ text: String, atX px: Double, y py: Double, anchor: String = "middle") {
        labels.append(.el("text", ["class": "note", "x": svgNumber(px), "y": svgNumber(py), "text-anchor": anchor], .text(text)))
    }

    /// A bracket under the time axis marking a stretch of time (the baseline's periods).
    mutating func timeBracket(_ months: ClosedRange<Double>, label: String) {
        let x0 = x(max(months.lowerBound, x.domain.lowerBound)), x1 = x(min(months.upperBound, x.domain.upperBound))
        let by = bottom - 6
        let path = "M\(svgNumber(x0)),\(svgNumber(by - 5)) V\(svgNumber(by)) H\(svgNumber(x1)) V\(svgNumber(by - 5))"
        layers.append(.el("path", ["class": "bracket", "d": path]))
        labels.append(.el("text", ["class": "label", "x": svgNumber((x0 + x1) / 2), "y": svgNumber(by - 8), "text-anchor": "middle"],
                          .text(label)))
    }

    /// The finished `<svg>`: scales with its container, keeps its proportions in print.
    var node: HTMLNode {
        .el("svg", attributes: [("class", "chart"), ("viewBox", "0 0 \(svgNumber(width)) \(svgNumber(height))"), ("role", "img"),
                                ("preserveAspectRatio", "xMidYMid meet")],
            children: [.el("title", .text(title))] + layers + labels)
    }
}

/// A word-sized trend line for a table cell: the shape of the series, its last point marked.
///
/// Scaled to its own minimum and maximum, because it shows direction, not size; the
/// figures themselves stand in the table and in the `<title>`.
enum Sparkline {
    static func node(_ values: [Double], title: String, width: Double = 110, height: Double = 26) -> HTMLNode {
        let pad = 4.0
        let low = values.min() ?? 0, high = values.max() ?? 0
        let x = LinearScale(domain: 0...Double(max(values.count - 1, 1)), from: pad, to: width - pad)
        let y = LinearScale(domain: low...high, from: height - pad, to: pad)
        let points = values.enumerated().map { (x(Double($0.offset)), y($0.element)) }
        var children: [HTMLNode] = [.el("title", .text(title))]
        if points.count > 1 {
            children.append(.el("polyline", ["class": "spark", "points": points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")]))
        }
        if let last = points.last {
            children.append(.el("circle", ["class": "spark-dot", "cx": svgNumber(last.0), "cy": svgNumber(last.1), "r": "2.5"]))
        }
        return .el("svg", attributes: [("class", "sparkline"), ("viewBox", "0 0 \(svgNumber(width)) \(svgNumber(height))"),
                                       ("width", svgNumber(width)), ("height", svgNumber(height)), ("role", "img")],
                   children: children)
    }
}
