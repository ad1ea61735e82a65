extension Result {
    /// The success value, or nil for a failure.
    var value: Success? {
        if case let .success(value) = self { return value }
        return nil
    }

    /// The failure, or nil for a success.
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
