import LedgerModel

/// A view of the ledger built by folding its events in seq order.
///
/// Projections are pure: they never touch files, and a view at a point in time is the
/// same fold stopped at that point. The ledger feeds one replay pass to every projection.
public protocol Projection {
    /// What the fold consumes: one decoded event of the ledger.
    associatedtype Event
    /// Folds one more event into the view.
    mutating func apply(_ event: Event)
}
