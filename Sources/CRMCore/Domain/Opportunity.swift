/// A deal with an account, followed through the stages to won or lost.
public struct Opportunity: Equatable, Sendable {
    /// A contact involved in the deal besides the main one, with their part in it.
    public struct Participant: Equatable, Sendable {
        public let contactId: Int64
        public let role: String?

        public init(contactId: Int64, role: String?) {
            self.contactId = contactId
            self.role = role
        }
    }

    public let id: Int64
    public let accountId: Int64
    public let contactId: Int64?
    public let title: String
    /// Nil when the amount is not known, as for a deal imported without one.
    public let amount: Money?
    public let currency: Currency
    /// Whole percent, 0 to 100.
    public let probability: Int
    public let stage: Stage
    public let expectedClose: String
    public let ownerId: Int64
    public let ownerName: String
    public let source: String?
    public let lossReason: String?
    public let lossNote: String?
    /// The day the deal was won or lost; nil while it is open.
    public let closedOn: String?
    public let createdAt: String
    public let updatedAt: String
    /// Free text, such as the description of a deal imported from another CRM.
    public let description: String?
    public var participants: [Participant] = []

    static let select = """
        SELECT o.id, o.account_id, o.contact_id, o.title, o.amount, o.currency, o.probability,
               st.id, st.code, st.label, st.probability, st.kind, st.position,
               o.expected_close, o.owner_id, u.name, o.source, o.loss_reason, o.loss_note, o.closed_on,
               o.created_at, o.updated_at, o.description
        FROM opportunities o JOIN stages st ON st.id = o.stage_id JOIN users u ON u.id = o.owner_id
        JOIN accounts a ON a.id = o.account_id
        """

    init(row: Row) {
        id = row.int(0)!
        accountId = row.int(1)!
        contactId = row.int(2)
        title = row.string(3)!
        let currency = Currency(code: row.string(5)!) ?? .euro
        self.currency = currency
        amount = row.int(4).map { Money(minor: $0, currency: currency) }
        probability = Int(row.int(6)!)
        stage = Stage(row: Row(values: Array(row.values[7...12])))
        expectedClose = row.string(13)!
        ownerId = row.int(14)!
        ownerName = row.string(15)!
        source = row.string(16)
        lossReason = row.string(17)
        lossNote = row.string(18)
        closedOn = row.string(19)
        createdAt = row.string(20)!
        updatedAt = row.string(21)!
        description = row.string(22)
    }

    public var isOpen: Bool { stage.kind == .open }

    /// The amount times the probability, rounded half-up to the minor unit;
    /// nil when the amount is not known.
    public var weightedAmount: Money? {
        amount.map { Money(minor: Money.divideRoundingHalfUp($0.minor * Int64(probability), by: 100), currency: currency) }
    }

    private func fields(money: (Money) -> Value) -> ObjectBuilder {
        var object = ObjectBuilder()
        object.set("id", id)
        object.set("accountId", accountId)
        object.set("title", title)
        object.set("amount", amount.map(money) ?? .null)
        object.set("currency", currency.code)
        object.set("stage", stage.code)
        object.set("owner", ownerName)
        object.set("status", stage.kind.rawValue)
        object.set("probability", Int64(probability))
        object.set("expectedCloseDate", expectedClose)
        object.set("contactId", contactId)
        object.set("source", source)
        object.set("lossReason", lossReason)
        object.set("closedOn", closedOn)
        return object
    }

    /// The opportunity as plugins receive it: the amount in minor units.
    public var pluginValue: Value { fields { .integer($0.minor) }.value }

    /// The opportunity as `--json` prints it: money as a decimal string with its currency.
    public var jsonValue: Value {
        var object = fields(money: \.jsonValue)
        object.set("weightedAmount", weightedAmount?.jsonValue ?? .null)
        object.set("lossNote", lossNote)
        object.set("description", description)
        object.set("contacts", .array(participants.map {
            .object([("contactId", .integer($0.contactId)), ("role", $0.role.map(Value.string) ?? .null)])
        }))
        object.set("createdAt", createdAt)
        object.set("updatedAt", updatedAt)
        return object.value
    }
}

/// What `crm opportunity add` and `edit` set; nil leaves a field as it is.
public struct OpportunityChanges: Sendable {
    public var title: String?
    /// The amount in major units, as typed (`5000.00`).
    public var amount: String?
    public var currency: String?
    public var probability: Int?
    public var expectedClose: String?
    public var owner: String?
    /// An empty string clears the source.
    public var source: String?
    public var contactId: Int64?
    /// Contacts to add or re-role, each with an optional role.
    public var addParticipants: [(Int64, String?)] = []
    public var removeParticipants: [Int64] = []

    public init() {}
}
