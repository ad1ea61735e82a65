/// A sales sector (territory), a node of the sector tree.
public struct Sector: Equatable, Sendable {
    public let id: Int64
    public let code: String
    public let name: String
    public let parentId: Int64?
    public let managerName: String?

    static let select = """
        SELECT s.id, s.code, s.name, s.parent_id, u.name FROM sectors s LEFT JOIN users u ON u.id = s.manager_id
        """

    init(row: Row) {
        id = row.int(0)!
        code = row.string(1)!
        name = row.string(2)!
        parentId = row.int(3)
        managerName = row.string(4)
    }
}

/// The sector tree, rep membership and managers.
public enum Sectors {
    static func validateCode(_ code: String) throws(CRMError) {
        let valid = !code.isEmpty && code.count <= 32 && code.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0))
        }
        guard valid else {
            throw CRMError.usage("invalid sector code '\(code)': use 1 to 32 ASCII letters, digits, '-', '_' or '.'")
        }
    }

    public static func find(_ database: Database, code: String) throws(CRMError) -> Sector? {
        try database.first("\(Sector.select) WHERE s.code = ?", [code]).map(Sector.init)
    }

    public static func find(_ database: Database, id: Int64) throws(CRMError) -> Sector? {
        try database.first("\(Sector.select) WHERE s.id = ?", [id]).map(Sector.init)
    }

    public static func require(_ database: Database, code: String, option: String) throws(CRMError) -> Sector {
        guard let sector = try find(database, code: code) else {
            throw CRMError.notFound("unknown sector '\(code)' in \(option); see `crm sector list`")
        }
        return sector
    }

    public static func all(_ database: Database) throws(CRMError) -> [Sector] {
        try database.query("\(Sector.select) ORDER BY s.code").map(Sector.init)
    }

    public static func add(_ context: CRMContext, code: String, name: String, parent: String?) throws(CRMError) -> Sector {
        try context.require(.admin, to: "add a sector")
        try validateCode(code)
        guard !name.trimmingSpaces.isEmpty else { throw CRMError.usage("--name must not be empty") }
        let database = context.database
        return try database.transaction { () throws(CRMError) -> Sector in
            if try find(database, code: code) != nil {
                throw CRMError.conflict("a sector with code '\(code)' already exists")
            }
            let parentSector = try parent.map { (code) throws(CRMError) in try require(database, code: code, option: "--parent") }
            let id = try database.insert("INSERT INTO sectors (code, name, parent_id, created_at) VALUES (?, ?, ?, ?)",
                                         [code, name, parentSector?.id, context.clock.timestamp])
            try context.audit(entity: "sector", id: id, action: "create", field: nil, old: nil, new: code)
            return try find(database, id: id)!
        }
    }

    public static func assignRep(_ context: CRMContext, code: String, userName: String) throws(CRMError) {
        let database = context.database
        let sector = try require(database, code: code, option: "SECTOR")
        if context.actor.role != .admin {
            let managed = try managedSectorIds(database, manager: context.actor.id)
            guard context.actor.role == .manager, managed.contains(sector.id) else {
                throw CRMError.permission("permission denied: to assign reps to sector '\(code)' you need the admin "
                                          + "role or to manage that sector")
            }
        }
        let user = try Users.require(database, name: userName, option: "USER")
        try database.transaction { () throws(CRMError) in
            try database.query("INSERT OR IGNORE INTO sector_reps (sector_id, user_id) VALUES (?, ?)", [sector.id, user.id])
            guard database.changes > 0 else {
                throw CRMError.conflict("'\(userName)' already belongs to sector '\(code)'")
            }
            try context.audit(entity: "sector", id: sector.id, action: "update", field: "rep", old: nil, new: userName)
        }
    }

    public static func setManager(_ context: CRMContext, code: String, userName: String) throws(CRMError) {
        try context.require(.admin, to: "set a sector's manager")
        let database = context.database
        let sector = try require(database, code: code, option: "SECTOR")
        let user = try Users.require(database, name: userName, option: "USER")
        guard user.role == .manager || user.role == .admin else {
            throw CRMError.invalid("'\(userName)' has the \(user.role.rawValue) role; a sector manager needs the "
                                   + "manager role (`crm user add NAME --role manager`)")
        }
        try database.transaction { () throws(CRMError) in
            try database.query("UPDATE sectors SET manager_id = ? WHERE id = ?", [user.id, sector.id])
            try context.audit(entity: "sector", id: sector.id, action: "update", field: "manager",
                              old: sector.managerName, new: userName)
        }
    }

    /// A query of the ids of the sectors managed by the user bound to its one
    /// parameter and of every sector below them, for use as a subquery.
    static let managedSectorsQuery = """
        WITH RECURSIVE managed(id) AS (
            SELECT id FROM sectors WHERE manager_id = ?
            UNION SELECT below.id FROM sectors below JOIN managed m ON below.parent_id = m.id
        ) SELECT id FROM managed
        """

    /// Ids of the sectors a user manages and of every sector below them.
    public static func managedSectorIds(_ database: Database, manager: Int64) throws(CRMError) -> Set<Int64> {
        let rows = try database.query(managedSectorsQuery, [manager])
        return Set(rows.compactMap { $0.int(0) })
    }

    /// Names of the reps of each sector, keyed by sector id.
    public static func reps(_ database: Database) throws(CRMError) -> [Int64: [String]] {
        var result: [Int64: [String]] = [:]
        for row in try database.query("""
            SELECT r.sector_id, u.name FROM sector_reps r JOIN users u ON u.id = r.user_id ORDER BY u.name
            """) {
            result[row.int(0)!, default: []].append(row.string(1)!)
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing white space.
    public var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
