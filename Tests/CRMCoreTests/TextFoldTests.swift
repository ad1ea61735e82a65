import CRMCore
import XCTest

final class SearchKeyTests: XCTestCase {
    func testFrench() {
        XCTAssertEqual(searchKey("Élodie Lefèvre-Château"), "elodie lefevre-chateau")
        XCTAssertEqual(searchKey("Cœur de Lion"), "coeur de lion")
        XCTAssertEqual(searchKey("ŒUVRE"), "oeuvre")
        XCTAssertEqual(searchKey("Ça où Noël"), "ca ou noel")
        XCTAssertEqual(searchKey("L’Oréal"), "l'oreal")
        XCTAssertEqual(searchKey("Aÿ-Champagne"), "ay-champagne")
        XCTAssertEqual(searchKey("Lætitia"), "laetitia")
    }

    func testGerman() {
        XCTAssertEqual(searchKey("Müller"), "muller")
        XCTAssertEqual(searchKey("Müller"), searchKey("Muller"))
        XCTAssertEqual(searchKey("Straße"), "strasse")
        XCTAssertEqual(searchKey("GROẞE"), "grosse")
        XCTAssertEqual(searchKey("Ärger Öl Übel"), "arger ol ubel")
    }

    func testTurkish() {
        XCTAssertEqual(searchKey("İstanbul"), "istanbul")
        XCTAssertEqual(searchKey("ısparta"), "isparta")
        XCTAssertEqual(searchKey("Şişli"), "sisli")
        XCTAssertEqual(searchKey("Çağrı"), "cagri")
        XCTAssertEqual(searchKey("İ ı Ş ş Ç ç Ğ ğ"), "i i s s c c g g")
    }

    func testPolish() {
        XCTAssertEqual(searchKey("Łódź"), "lodz")
        XCTAssertEqual(searchKey("Żółć"), "zolc")
        XCTAssertEqual(searchKey("ł Ł ż Ż ó Ó"), "l l z z o o")
    }

    func testNordic() {
        XCTAssertEqual(searchKey("Søren Ørsted"), "soren orsted")
        XCTAssertEqual(searchKey("Ålesund"), "alesund")
        XCTAssertEqual(searchKey("Æbeltoft"), "aebeltoft")
        XCTAssertEqual(searchKey("Þórður"), "thordur")
    }

    func testOtherLatinLetters() {
        XCTAssertEqual(searchKey("Ștefan Țară"), "stefan tara")
        XCTAssertEqual(searchKey("Şerban Ţepeş"), "serban tepes")
        XCTAssertEqual(searchKey("Đorđević Čačak"), "dordevic cacak")
        XCTAssertEqual(searchKey("Ĳsselmeer"), "ijsselmeer")
        XCTAssertEqual(searchKey("ﬁnance ﬂow"), "finance flow")
        XCTAssertEqual(searchKey("Ǆemal"), "dzemal")
    }

    func testDecomposedFoldsLikePrecomposed() {
        XCTAssertEqual(searchKey("E\u{301}lodie"), "elodie")
        XCTAssertEqual(searchKey("Mu\u{308}ller"), searchKey("Müller"))
        XCTAssertEqual(searchKey("C\u{327}a"), "ca")
        XCTAssertEqual(searchKey("S\u{327}is\u{327}li"), "sisli")
        XCTAssertEqual(searchKey("I\u{307}stanbul"), "istanbul")
        XCTAssertEqual(searchKey("A\u{30A}lesund"), "alesund")
        XCTAssertEqual(searchKey("Z\u{307}o\u{301}\u{142}c\u{301}"), "zolc")
    }

    func testCombiningMarksAfterSpacesAreDropped() {
        XCTAssertEqual(searchKey("a \u{301}b"), "a b")
        XCTAssertEqual(searchKey("\u{301}\u{308}"), "")
    }

    func testApostrophes() {
        XCTAssertEqual(searchKey("d’Artagnan d‘A dʼA d´A d`A d'A"), "d'artagnan d'a d'a d'a d'a d'a")
    }

    func testWhitespace() {
        XCTAssertEqual(searchKey("  Pyramid \t\n Construction\u{00A0}\u{202F}Inc.  "), "pyramid construction inc.")
        XCTAssertEqual(searchKey(""), "")
        XCTAssertEqual(searchKey(" \t\n "), "")
    }

    func testOtherScriptsAreLowerCased() {
        XCTAssertEqual(searchKey("ΑΘΗΝΑ"), "αθηνα")
        XCTAssertEqual(searchKey("МОСКВА"), "москва")
        XCTAssertEqual(searchKey("東京"), "東京")
    }

    func testEveryLatinLetterFoldsToASCII() {
        // Latin-1 Supplement and Latin Extended-A letters, U+00C0 to U+017F.
        for value in UInt32(0xC0)...0x17F {
            let scalar = Unicode.Scalar(value)!
            guard scalar.properties.isAlphabetic else { continue }
            let folded = searchKey(String(scalar))
            XCTAssertTrue(folded.unicodeScalars.allSatisfy(\.isASCII), "U+\(String(value, radix: 16)) gave \(folded)")
            XCTAssertFalse(folded.isEmpty, "U+\(String(value, radix: 16))")
        }
    }
}

final class IdentityKeyTests: XCTestCase {
    func testCompanyNamesMatch() {
        XCTAssertEqual(identityKey("Pyramid Construction Inc."), "pyramid construction inc")
        XCTAssertEqual(identityKey("PYRAMID  construction inc"), "pyramid construction inc")
        XCTAssertEqual(identityKey("Pyramid Construction, Inc."), "pyramid construction inc")
    }

    func testAccentsFold() {
        XCTAssertEqual(identityKey("Müller"), "muller")
        XCTAssertEqual(identityKey("Muller"), "muller")
        XCTAssertEqual(identityKey("Mu\u{308}ller GmbH"), identityKey("MULLER GMBH"))
    }

    func testDotsAndApostrophesAreRemoved() {
        XCTAssertEqual(identityKey("S.A.R.L. Dupont"), "sarl dupont")
        XCTAssertEqual(identityKey("L’Oréal"), "loreal")
        XCTAssertEqual(identityKey("L'OREAL"), "loreal")
        XCTAssertEqual(identityKey("«Les Échos»"), "les echos")
        XCTAssertEqual(identityKey("\"Les Échos\""), "les echos")
        XCTAssertEqual(identityKey("“Les Échos”"), "les echos")
        XCTAssertEqual(identityKey("Cal·lígraf"), "calligraf")
    }

    func testOtherPunctuationBecomesSpace() {
        XCTAssertEqual(identityKey("Saint-Gobain"), "saint gobain")
        XCTAssertEqual(identityKey("Saint Gobain"), "saint gobain")
        XCTAssertEqual(identityKey("Smith,Jones;Partners:Ltd"), "smith jones partners ltd")
        XCTAssertEqual(identityKey("(Groupe) Martin / Fils"), "groupe martin fils")
        XCTAssertEqual(identityKey("Dupont & Fils"), "dupont fils")
        XCTAssertEqual(identityKey("Dupont – Fils"), "dupont fils")
        XCTAssertEqual(identityKey("Dupont_Fils!"), "dupont fils")
    }

    func testNothingLeft() {
        XCTAssertEqual(identityKey(""), "")
        XCTAssertEqual(identityKey(" ... - ; "), "")
    }

    func testSymbolsAndDigitsAreKept() {
        XCTAssertEqual(identityKey("C+ 2024"), "c+ 2024")
        XCTAssertEqual(identityKey("Café №5"), "cafe №5")
    }

    /// Every ASCII character, alone and in runs, folds the same on the
    /// ASCII fast path as on the Unicode path, which a leading `á` forces.
    func testASCIIFastPathMatchesUnicodePath() {
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["  Pyramid   Construction\tInc. ", "L'Or`eal S.A.", "\r\n", "A--B__C", "x$+<=>^|~y", "\u{1C}\u{1F}"]
        for sample in samples {
            let fast = "a" + sample + "b"
            let slow = "\u{E1}" + sample + "b"
            XCTAssertEqual(searchKey(fast), searchKey(slow), "searchKey of \(sample.unicodeScalars.map(\.value))")
            XCTAssertEqual(identityKey(fast), identityKey(slow), "identityKey of \(sample.unicodeScalars.map(\.value))")
        }
        XCTAssertEqual(searchKey("  Pyramid   CONSTRUCTION\tInc. "), "pyramid construction inc.")
        XCTAssertEqual(identityKey("  Pyramid   CONSTRUCTION\tInc. "), "pyramid construction inc")
        XCTAssertEqual(identityKey("L`Oreal S.A."), "loreal sa")
    }
}
