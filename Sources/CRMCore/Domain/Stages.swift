/// A step of the sales pipeline. Open stages carry a deal forward; a won or
/// lost stage closes it.
public struct Stage: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable { case open, won, lost }

    public let id: Int64
    public let code: String
    public let label: String
    /// Default probability, in whole percent, of an opportunity entering the stage.
    public let probability: Int
    public let kind: Kind
    public let position: Int

    static let columns = "id, code, label, probability, kind, position"

    init(row: Row) {
        id = row.int(0)!
        code = row.string(1)!
        label = row.string(2)!
        probability = Int(row.int(3)!)
        kind = Kind(rawValue: row.string(4)!) ?? .open
        position = Int(row.int(5)!)
    }

    public var jsonValue: Value {
        .object([("code", .string(code)), ("label", .string(label)), ("probability", .integer(Int64(probability))),
                 ("kind", .string(kind.rawValue)), ("position", .integer(Int64(position)))])
    }
}

/// The stages admins manage: add, edit, reorder.
public enum Stages {
    public static func all(_ database: Database) throws(CRMError) -> [Stage] {
        try database.query("SELECT \(Stage.columns) FROM stages ORDER BY position, id").map(Stage.init)
    }

    public static func find(_ database: Database, code: String) throws(CRMError) -> Stage? {
        try database.first("SELECT \(Stage.columns) FROM stages WHERE code = ?", [code.uppercased()]).map(Stage.init)
    }

    static func find(_ database: Database, id: Int64) throws(CRMError) -> Stage {
        guard let stage = try database.first("SELECT \(Stage.columns) FROM stages WHERE id = ?", [id]).map(Stage.init) else {
            throw CRMError(.database, "stage \(id) is missing from the stages table; the database is damaged")
        }
        return stage
    }

    /// Looks up a stage typed by the user, with a message listing the codes.
    public static func require(_ database: Database, code: String) throws(CRMError) -> Stage {
        if let stage = try find(database, code: code) { return stage }
        let codes = try all(database).map(\.code).joined(separator: ", ")
        throw CRMError.notFound("unknown stage '\(code)'; the stages are \(codes) (see `crm stage list`)")
    }

    /// The first stage of a kind in pipeline order: where a new deal starts,
    /// or where `win` and `lose` move it.
    static func first(_ database: Database, kind: Stage.Kind) throws(CRMError) -> Stage {
        guard let stage = try database.first("SELECT \(Stage.columns) FROM stages WHERE kind = ? ORDER BY position, id LIMIT 1",
                                             [kind.rawValue]).map(Stage.init) else {
            throw CRMError.conflict("no stage of kind \(kind.rawValue) exists; an admin adds one with "
                                    + "`crm stage add CODE --label TEXT --kind \(kind.rawValue)`")
        }
        return stage
    }

    static func validateCode(_ code: String) throws(CRMError) {
        let valid = !code.isEmpty && code.count <= 32 && code.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-")
        }
        guard valid else {
            throw CRMError.usage("invalid code '\(code)': use 1 to 32 ASCII letters, digits, '_' or '-', such as NEGOTIATE")
        }
    }

    static func validateProbability(_ value: Int) throws(CRMError) {
        guard (0...100).contains(value) else {
            throw CRMError.usage("invalid --probability '\(value)': expected a whole percent from 0 to 100")
        }
    }

    public static func add(_ context: CRMContext, code: String, label: String, probability: Int,
                           kind: Stage.Kind) throws(CRMError) -> Stage {
        try context.require(.admin, to: "add a stage")
        try validateCode(code)
        try validateProbability(probability)
        try AccountValidation.checkPrintable(label, option: "--label", maximum: 100)
        let upper = code.uppercased()
        return try context.database.transaction { () throws(CRMError) -> Stage in
            guard try find(context.database, code: upper) == nil else {
                throw CRMError.conflict("a stage with the code \(upper) already exists; change it with `crm stage edit`")
            }
            let position = Int(try context.database.scalar("SELECT coalesce(max(position), 0) + 1 FROM stages").integer!)
            let id = try context.database.insert("INSERT INTO stages (code, label, probability, kind, position) VALUES (?, ?, ?, ?, ?)",
                                                 [upper, label.trimmingSpaces, probability, kind.rawValue, position])
            try context.audit(entity: "stage", id: id, action: "create", field: nil, old: nil, new: upper)
            return try find(context.database, id: id)
        }
    }

    /// Changes the label, the default probability or the kind of a stage.
    /// The kind of a stage in use stays fixed, because it decides whether
    /// the opportunities in it are open or closed.
    public static func edit(_ context: CRMContext, code: String, label: String?, probability: Int?,
                            kind: Stage.Kind?) throws(CRMError) -> Stage {
        try context.require(.admin, to: "change a stage")
        if let probability { try validateProbability(probability) }
        if let label { try AccountValidation.checkPrintable(label, option: "--label", maximum: 100) }
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Stage in
            let stage = try require(database, code: code)
            if let label, label.trimmingSpaces != stage.label {
                try database.query("UPDATE stages SET label = ? WHERE id = ?", [label.trimmingSpaces, stage.id])
                try context.audit(entity: "stage", id: stage.id, action: "update", field: "label", old: stage.label,
                                  new: label.trimmingSpaces)
            }
            if let probability, probability != stage.probability {
                try database.query("UPDATE stages SET probability = ? WHERE id = ?", [probability, stage.id])
                try context.audit(entity: "stage", id: stage.id, action: "update", field: "probability",
                                  old: String(stage.probability), new: String(probability))
            }
            if let kind, kind != stage.kind {
                let used = try database.scalar("SELECT count(*) FROM opportunities WHERE stage_id = ?", [stage.id]).integer!
                guard used == 0 else {
                    throw CRMError.conflict("stage \(stage.code) is used by \(used) opportunit\(used == 1 ? "y" : "ies"), "
                                            + "so its kind stays \(stage.kind.rawValue); add a new stage instead")
                }
                try database.query("UPDATE stages SET kind = ? WHERE id = ?", [kind.rawValue, stage.id])
                try context.audit(entity: "stage", id: stage.id, action: "update", field: "kind",
                                  old: stage.kind.rawValue, new: kind.rawValue)
            }
            return try find(database, id: stage.id)
        }
    }

    /// Sets the pipeline order. `codes` must name every stage exactly once.
    public static func order(_ context: CRMContext, codes: [String]) throws(CRMError) {
        try context.require(.admin, to: "reorder the stages")
        let database = context.database
        try database.transaction { () throws(CRMError) in
            let stages = try all(database)
            let upper = codes.map { $0.uppercased() }
            for code in upper where !stages.contains(where: { $0.code == code }) {
                _ = try require(database, code: code)
            }
            let missing = stages.map(\.code).filter { !upper.contains($0) }
            guard missing.isEmpty, Set(upper).count == upper.count else {
                throw CRMError.usage("list every stage exactly once; "
                                     + (missing.isEmpty ? "a code is repeated" : "missing: \(missing.joined(separator: ", "))"))
            }
            let before = stages.map(\.code).joined(separator: " ")
            for (offset, code) in upper.enumerated() {
                try database.query("UPDATE stages SET position = ? WHERE code = ?", [offset + 1, code])
            }
            try context.audit(entity: "stage", id: 0, action: "update", field: "order", old: before,
                              new: upper.joined(separator: " "))
        }
    }
}

/// A reason a deal was lost, chosen from a list admins manage.
public struct LossReason: Equatable, Sendable {
    public let code: String
    public let label: String
}

public enum LossReasons {
    public static func all(_ database: Database) throws(CRMError) -> [LossReason] {
        try database.query("SELECT code, label FROM loss_reasons ORDER BY code").map {
            LossReason(code: $0.string(0)!, label: $0.string(1)!)
        }
    }

    /// Looks up a loss reason typed by the user, with a message listing the codes.
    public static func require(_ database: Database, code: String) throws(CRMError) -> LossReason {
        let reasons = try all(database)
        guard let reason = reasons.first(where: { $0.code == code.uppercased() }) else {
            throw CRMError.notFound("unknown loss reason '\(code)'; the reasons are "
                                    + "\(reasons.map(\.code).joined(separator: ", ")) (see `crm loss-reason list`)")
        }
        return reason
    }

    public static func add(_ context: CRMContext, code: String, label: String) throws(CRMError) -> LossReason {
        try context.require(.admin, to: "add a loss reason")
        try Stages.validateCode(code)
        try AccountValidation.checkPrintable(label, option: "--label", maximum: 100)
        let reason = LossReason(code: code.uppercased(), label: label.trimmingSpaces)
        try context.database.transaction { () throws(CRMError) in
            guard try context.database.first("SELECT 1 FROM loss_reasons WHERE code = ?", [reason.code]) == nil else {
                throw CRMError.conflict("the loss reason \(reason.code) already exists")
            }
            try context.database.query("INSERT INTO loss_reasons (code, label) VALUES (?, ?)", [reason.code, reason.label])
            try context.audit(entity: "loss-reason", id: 0, action: "create", field: nil, old: nil, new: reason.code)
        }
        return reason
    }
}
