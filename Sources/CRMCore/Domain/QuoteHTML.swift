/// Renders a quote document as one self-contained HTML page, every text
/// escaped, with the same content as the PDF.
public enum QuoteHTML {
    /// Escapes text for HTML element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    private static let style = """
        body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; margin: 2em; color: #000; }
        .parties { display: flex; justify-content: space-between; gap: 2em; }
        .customer { border: 1px solid #000; padding: 0.8em; min-width: 40%; }
        table { border-collapse: collapse; width: 100%; margin-top: 1em; }
        th, td { border-bottom: 1px solid #999; padding: 0.3em; text-align: left; vertical-align: top; }
        td.amount, th.amount { text-align: right; white-space: nowrap; }
        .totals { width: auto; margin-left: auto; }
        .acceptance { border: 1px solid #000; padding: 0.8em; margin-top: 2em; width: 50%; min-height: 6em; }
        """

    public static func render(_ document: QuoteDocument) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>\(escape(document.title + " " + document.number))</title>\n"
        html += "<style>\n\(style)\n</style>\n</head>\n<body>\n"
        html += parties(document)
        html += "<h1>\(escape(document.title)) \(escape(document.number))</h1>\n"
        html += "<p>Date : \(escape(document.date))<br>\nValable jusqu’au : \(escape(document.validUntil))</p>\n"
        html += linesTable(document)
        html += totals(document)
        html += payment(document)
        html += "<div class=\"acceptance\">\n<strong>\(escape(QuoteDocument.acceptanceTitle))</strong>\n"
        html += "<p>\(escape(QuoteDocument.acceptanceNote))</p>\n"
        html += QuoteDocument.acceptanceFields.map { "<p>\(escape($0))</p>\n" }.joined()
        html += "</div>\n</body>\n</html>\n"
        return html
    }

    private static func block(_ name: String, _ lines: [String]) -> String {
        "<strong>\(escape(name))</strong><br>\n" + lines.map { escape($0) + "<br>\n" }.joined()
    }

    private static func parties(_ document: QuoteDocument) -> String {
        "<div class=\"parties\">\n<div class=\"seller\">\n" + block(document.sellerName, document.sellerLines)
            + "</div>\n<div class=\"customer\">\n" + block(document.customerName, document.customerLines)
            + "</div>\n</div>\n"
    }

    private static func row(_ cells: [String], header: Bool = false, amountsFrom first: Int) -> String {
        let tag = header ? "th" : "td"
        let rendered = cells.enumerated().map { index, cell in
            let attribute = index >= first ? " class=\"amount\"" : ""
            return "<\(tag)\(attribute)>\(escape(cell))</\(tag)>"
        }
        return "<tr>" + rendered.joined() + "</tr>\n"
    }

    private static func linesTable(_ document: QuoteDocument) -> String {
        var html = "<table class=\"lines\">\n" + row(QuoteDocument.lineHeaders, header: true, amountsFrom: 2)
        for line in document.lines {
            html += row([line.position, line.description, line.quantity, line.unit, line.unitPrice, line.discount,
                         line.vatRate, line.net], amountsFrom: 2)
        }
        return html + "</table>\n"
    }

    private static func totals(_ document: QuoteDocument) -> String {
        var html = "<table class=\"vat\">\n" + row(QuoteDocument.vatHeaders, header: true, amountsFrom: 1)
        for vat in document.vat { html += row([vat.rate, vat.base, vat.tax], amountsFrom: 1) }
        html += "</table>\n<table class=\"totals\">\n"
        if let subtotal = document.subtotalBeforeDiscount, let discount = document.globalDiscount {
            html += row(["Total HT avant remise", subtotal], amountsFrom: 1)
            html += row([discount.label, discount.amount], amountsFrom: 1)
        }
        html += row(["Total HT", document.totalExcludingTax], amountsFrom: 1)
        html += row(["Total TVA", document.totalTax], amountsFrom: 1)
        html += row(["Total TTC", document.totalIncludingTax], amountsFrom: 1)
        return html + "</table>\n"
    }

    private static func payment(_ document: QuoteDocument) -> String {
        var items: [String] = []
        if let term = document.paymentTerm { items.append("Conditions de paiement : \(term)") }
        if let method = document.paymentMethod { items.append("Mode de paiement : \(method)") }
        guard !items.isEmpty else { return "" }
        return "<p>" + items.map(escape).joined(separator: "<br>\n") + "</p>\n"
    }
}
