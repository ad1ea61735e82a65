import CRMCore

/// The bar drawn beside each row of `crm objective report` on a terminal,
/// so attainment reads at a glance.
enum AttainmentBar {
    /// Cells of a full bar; each cell is 5 % of the target.
    static let width = 20

    /// Draws a bar of `width` cells, filled by whole 5 % steps and full from
    /// 100 % on. With colour it is green once the target is reached, yellow
    /// when the forecast reaches it, red when the period is over short of
    /// it, and uncoloured otherwise.
    static func render(_ row: Attainment, colour: Bool) -> String {
        let filled = Int(min(Int64(width), row.tenthsOfPercent / (1000 / Int64(width))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        guard colour, let code = colourCode(row) else { return bar }
        return "\u{1B}[\(code)m\(bar)\u{1B}[0m"
    }

    /// Returns the SGR colour code of a row, or nil for no colour.
    static func colourCode(_ row: Attainment) -> Int? {
        if row.actual >= row.objective.target { return 32 }
        if let forecast = row.forecast, forecast >= row.objective.target { return 33 }
        if row.daysLeft == nil { return 31 }
        return nil
    }
}
