/// The first position in `range` where `isBefore` is false, found by halving: `isBefore` must
/// hold for a run of positions from the start and for none after it — a sorted table asked where
/// a value is or would go. (The sorted tables of seqs, days and fingerprints are all searched so.)
@inlinable
public func partitionPoint(_ range: Range<Int>, _ isBefore: (Int) throws -> Bool) rethrows -> Int {
    var (low, high) = (range.lowerBound, range.upperBound)
    while low < high {
        let mid = low + (high - low) / 2
        if try isBefore(mid) { low = mid + 1 } else { high = mid }
    }
    return low
}
