import CCairo
import CRMCore

/// Writes a quote document as an A4 PDF with cairo. Text goes through
/// cairo's simple font API with DejaVu Sans, found by fontconfig; cairo's
/// PDF surface embeds the subset of each font that the page uses.
final class QuotePDF {
    private static let pageWidth = 595.276
    private static let pageHeight = 841.89
    private static let margin = 42.0
    private static let fontFamily = "DejaVu Sans"
    private static var contentWidth: Double { pageWidth - 2 * margin }
    /// Lowest baseline for content; the footer sits below it.
    private static var bottom: Double { pageHeight - margin - 24 }

    /// Column widths of the lines table, in points; they add up to the content width.
    private static let lineColumns: [Double] = [20, 181, 40, 40, 70, 45, 45, 70]
    /// Columns whose cells are right-aligned: quantity, prices, percents, amounts.
    private static let rightAligned: Set<Int> = [2, 4, 5, 6, 7]

    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private let document: QuoteDocument
    private var y = QuotePDF.margin
    private var page = 1

    private init(document: QuoteDocument, path: String) throws(CRMError) {
        self.document = document
        surface = cairo_pdf_surface_create(path, QuotePDF.pageWidth, QuotePDF.pageHeight)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw CRMError(.io, "could not write \(path): \(String(cString: cairo_status_to_string(status)))")
        }
        cairo = cairo_create(surface)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "\(document.title) \(document.number)")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "crm")
    }

    /// Renders `document` into a PDF file at `path`, replacing it.
    static func write(_ document: QuoteDocument, to path: String) throws(CRMError) {
        let writer = try QuotePDF(document: document, path: path)
        writer.drawDocument()
        try writer.finish(path: path)
    }

    private func finish(path: String) throws(CRMError) {
        drawFooter()
        cairo_destroy(cairo)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw CRMError(.io, "could not write \(path): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    // MARK: Text primitives

    private func font(size: Double, bold: Bool = false) {
        cairo_select_font_face(cairo, QuotePDF.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cairo, size)
    }

    private func width(_ text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(cairo, text, &extents)
        return extents.x_advance
    }

    /// Draws one line with its baseline at `baseline`, left-aligned at `x`
    /// or right-aligned so that it ends at `x`.
    private func text(_ text: String, x: Double, baseline: Double, alignRight: Bool = false) {
        cairo_move_to(cairo, alignRight ? x - width(text) : x, baseline)
        cairo_show_text(cairo, text)
    }

    /// Splits text into lines no wider than `limit` with the current font,
    /// breaking at spaces, and inside a word only when it is wider alone.
    private func wrap(_ text: String, limit: Double) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            for word in paragraph.split(separator: " ") {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if width(candidate) <= limit { current = candidate; continue }
                if !current.isEmpty { lines.append(current) }
                current = ""
                for character in word {
                    if !current.isEmpty, width(current + String(character)) > limit {
                        lines.append(current)
                        current = ""
                    }
                    current.append(character)
                }
            }
            lines.append(current)
        }
        return lines
    }

    /// Starts a new page when `height` more points do not fit on this one.
    /// Returns true when it did.
    @discardableResult
    private func ensureSpace(_ height: Double) -> Bool {
        guard y + height > QuotePDF.bottom else { return false }
        drawFooter()
        cairo_show_page(cairo)
        page += 1
        y = QuotePDF.margin
        return true
    }

    private func drawFooter() {
        font(size: 7)
        cairo_set_source_rgb(cairo, 0.3, 0.3, 0.3)
        let legal = ([document.sellerName] + document.sellerLines.filter { $0.hasPrefix("SIRET") })
            .joined(separator: " – ")
        let baseline = QuotePDF.pageHeight - QuotePDF.margin + 10
        text(legal, x: QuotePDF.margin, baseline: baseline)
        text("Page \(page)", x: QuotePDF.pageWidth - QuotePDF.margin, baseline: baseline, alignRight: true)
        cairo_set_source_rgb(cairo, 0, 0, 0)
    }

    // MARK: Blocks

    private func drawDocument() {
        drawParties()
        drawTitle()
        drawLines()
        drawTotals()
        drawPayment()
        drawAcceptance()
    }

    private func drawParties() {
        let top = y
        font(size: 11, bold: true)
        text(document.sellerName, x: QuotePDF.margin, baseline: top + 11)
        font(size: 8.5)
        var sellerY = top + 25
        for line in document.sellerLines {
            for piece in wrap(line, limit: 240) {
                text(piece, x: QuotePDF.margin, baseline: sellerY)
                sellerY += 11
            }
        }
        let boxX = QuotePDF.pageWidth - QuotePDF.margin - 230
        font(size: 10, bold: true)
        var customerY = top + 22
        for piece in wrap(document.customerName, limit: 210) {
            text(piece, x: boxX + 10, baseline: customerY)
            customerY += 13
        }
        font(size: 9)
        for line in document.customerLines {
            for piece in wrap(line, limit: 210) {
                text(piece, x: boxX + 10, baseline: customerY)
                customerY += 11.5
            }
        }
        cairo_set_line_width(cairo, 0.8)
        cairo_rectangle(cairo, boxX, top + 4, 230, customerY - top - 4)
        cairo_stroke(cairo)
        y = max(sellerY, customerY + 6) + 18
    }

    private func drawTitle() {
        font(size: 16, bold: true)
        text("\(document.title) \(document.number)", x: QuotePDF.margin, baseline: y + 16)
        font(size: 9)
        text("Date : \(document.date)", x: QuotePDF.margin, baseline: y + 34)
        text("Valable jusqu’au : \(document.validUntil)", x: QuotePDF.margin + 150, baseline: y + 34)
        y += 50
    }

    private func drawRow(_ cells: [String], bold: Bool, shaded: Bool) {
        font(size: 8, bold: bold)
        let wrapped = cells.enumerated().map { index, cell in
            QuotePDF.rightAligned.contains(index) ? [cell] : wrap(cell, limit: QuotePDF.lineColumns[index] - 6)
        }
        let height = Double(wrapped.map(\.count).max() ?? 1) * 10 + 6
        if ensureSpace(height), !bold { drawRow(QuoteDocument.lineHeaders, bold: true, shaded: true); font(size: 8) }
        if shaded {
            cairo_set_source_rgb(cairo, 0.9, 0.9, 0.9)
            cairo_rectangle(cairo, QuotePDF.margin, y, QuotePDF.contentWidth, height)
            cairo_fill(cairo)
            cairo_set_source_rgb(cairo, 0, 0, 0)
        }
        var x = QuotePDF.margin
        for (index, lines) in wrapped.enumerated() {
            let columnWidth = QuotePDF.lineColumns[index]
            for (offset, line) in lines.enumerated() {
                let baseline = y + 11 + Double(offset) * 10
                if QuotePDF.rightAligned.contains(index) {
                    text(line, x: x + columnWidth - 3, baseline: baseline, alignRight: true)
                } else {
                    text(line, x: x + 3, baseline: baseline)
                }
            }
            x += columnWidth
        }
        y += height
        cairo_set_source_rgb(cairo, 0.6, 0.6, 0.6)
        cairo_set_line_width(cairo, 0.5)
        cairo_move_to(cairo, QuotePDF.margin, y)
        cairo_line_to(cairo, QuotePDF.margin + QuotePDF.contentWidth, y)
        cairo_stroke(cairo)
        cairo_set_source_rgb(cairo, 0, 0, 0)
    }

    private func drawLines() {
        ensureSpace(40)
        drawRow(QuoteDocument.lineHeaders, bold: true, shaded: true)
        for line in document.lines {
            drawRow([line.position, line.description, line.quantity, line.unit, line.unitPrice, line.discount,
                     line.vatRate, line.net], bold: false, shaded: false)
        }
        y += 16
    }

    /// The VAT table on the left and the totals on the right, kept on one page.
    private func drawTotals() {
        var totals: [(String, String, Bool)] = []
        if let subtotal = document.subtotalBeforeDiscount, let discount = document.globalDiscount {
            totals.append(("Total HT avant remise", subtotal, false))
            totals.append((discount.label, discount.amount, false))
        }
        totals += [("Total HT", document.totalExcludingTax, true), ("Total TVA", document.totalTax, false),
                   ("Total TTC", document.totalIncludingTax, true)]
        let rows = max(document.vat.count + 1, totals.count)
        ensureSpace(Double(rows) * 14 + 10)
        let top = y
        let left = QuotePDF.margin
        let vatColumns: [Double] = [70, 85, 85]
        font(size: 8, bold: true)
        var x = left
        for (index, header) in QuoteDocument.vatHeaders.enumerated() {
            if index == 0 { text(header, x: x, baseline: top + 10) } else {
                text(header, x: x + vatColumns[index], baseline: top + 10, alignRight: true)
            }
            x += vatColumns[index]
        }
        font(size: 8)
        var rowY = top + 24
        for row in document.vat {
            text(row.rate, x: left, baseline: rowY)
            text(row.base, x: left + vatColumns[0] + vatColumns[1], baseline: rowY, alignRight: true)
            text(row.tax, x: left + vatColumns[0] + vatColumns[1] + vatColumns[2], baseline: rowY, alignRight: true)
            rowY += 13
        }
        let right = QuotePDF.pageWidth - QuotePDF.margin
        var totalY = top + 10
        for (label, amount, bold) in totals {
            font(size: bold ? 10 : 9, bold: bold)
            text(label, x: right - 220, baseline: totalY)
            text(amount, x: right, baseline: totalY, alignRight: true)
            totalY += 15
        }
        y = max(rowY, totalY) + 10
    }

    private func drawPayment() {
        var items: [String] = []
        if let term = document.paymentTerm { items.append("Conditions de paiement : \(term)") }
        if let method = document.paymentMethod { items.append("Mode de paiement : \(method)") }
        guard !items.isEmpty else { return }
        font(size: 9)
        ensureSpace(Double(items.count) * 12 + 8)
        for item in items {
            for piece in wrap(item, limit: QuotePDF.contentWidth) {
                text(piece, x: QuotePDF.margin, baseline: y + 10)
                y += 12
            }
        }
        y += 8
    }

    private func drawAcceptance() {
        let boxWidth = 250.0
        font(size: 8)
        let note = wrap(QuoteDocument.acceptanceNote, limit: boxWidth - 20)
        let height = 24 + Double(note.count) * 10 + Double(QuoteDocument.acceptanceFields.count) * 26 + 10
        ensureSpace(height + 10)
        let boxX = QuotePDF.pageWidth - QuotePDF.margin - boxWidth
        cairo_set_line_width(cairo, 0.8)
        cairo_rectangle(cairo, boxX, y, boxWidth, height)
        cairo_stroke(cairo)
        font(size: 10, bold: true)
        text(QuoteDocument.acceptanceTitle, x: boxX + 10, baseline: y + 16)
        font(size: 8)
        var lineY = y + 30
        for piece in note {
            text(piece, x: boxX + 10, baseline: lineY)
            lineY += 10
        }
        font(size: 9)
        for field in QuoteDocument.acceptanceFields {
            lineY += 16
            text(field, x: boxX + 10, baseline: lineY)
            lineY += 10
        }
        y += height + 10
    }
}
