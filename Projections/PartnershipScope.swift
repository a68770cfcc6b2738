import LedgerModel

extension LedgerState {
    /// Whether the views of one partnership (status, progress, actions, compare and replay with
    /// `--partnership`) read no outturn of the areas in `leftOut`, so a fold may leave their
    /// figures out (``LedgerState/outturnAreasLeftOut``) and give the same rows.
    ///
    /// Those views read the partnership's own figures, those of areas that are not partnerships
    /// (the comparators: London, "national"), and those of the partnership a baseline its
    /// targets measure against was set for. So each area left out must be a partnership at this
    /// point in time, other than `partnership`, and named by none of its targets' baselines.
    ///
    /// Nor may they read a target or an action whose events were left out as another
    /// partnership's (``LedgerState/subjectsLeftOut``): an id used by two partnerships, one of
    /// them only after the checkpoint; nor a baseline set for another partnership that one of
    /// its targets measures against.
    public func viewsOf(_ partnership: String, readNoOutturnsOf leftOut: Set<String>) -> Bool {
        guard !leftOut.contains(partnership), leftOut.allSatisfy({ self.partnership($0) != nil }) else { return false }
        if !subjectsLeftOut.isEmpty {
            for id in actions.keys where action(id)?.partnership == partnership && subjectsLeftOut.mayContain("action:" + id) { return false }
        }
        for id in targets.keys {
            guard let (t, _) = target(id), t.partnership == partnership else { continue }
            if subjectsLeftOut.mayContain("target:" + id) { return false }
            if let baselineID = t.baselineID {
                if subjectsLeftOut.mayContain("baseline:" + baselineID) { return false }
                if let area = baseline(baselineID)?.partnership, leftOut.contains(area) { return false }
            }
        }
        return true
    }

    /// The indicators whose outturns `statusRows(partnership:indicator:)` reads for `indicator`:
    /// it, the components of each composite among them (sums and ratios, as now defined), and
    /// the indicator of each baseline that one of their targets (of `partnership`, if given)
    /// measures against — so a fold may leave every other indicator's figures out
    /// (``LedgerState/outturnIndicatorsKept``) and give the same rows. (`compareRows` reads
    /// fewer: the indicator and a sum's components.)
    public func indicatorsRead(of indicator: String, partnership: String?) -> Set<String> {
        var needed: Set<String> = [indicator]
        var queue = [indicator]
        while let id = queue.popLast() {
            var more = self.indicator(id)?.composition.components ?? []
            // The state of only the targets whose settings name the indicator is worked out.
            for targetID in targets.keys where settingsMayName(targetID, { (partnership == nil || $0 == partnership) && $1 == id }) {
                guard let t = target(targetID)?.target, t.indicator == id, partnership == nil || t.partnership == partnership else { continue }
                if let baselineID = t.baselineID, let b = baseline(baselineID) { more.append(b.indicator) }
            }
            for other in more where needed.insert(other).inserted { queue.append(other) }
        }
        return needed
    }
}

extension LedgerState {
    /// Whether target `id` may be of a partnership and indicator `isWanted` wants: whether any of
    /// its settings (live or not) names one. A revision never changes a target's partnership or
    /// indicator, so the state of the others need not be worked out (a view of one indicator
    /// asks of one partnership's hundreds of targets).
    func settingsMayName(_ id: String, _ isWanted: (String, String) -> Bool) -> Bool {
        targets[id]?.contains { entry in
            if case .set(let t) = entry.payload { return isWanted(t.partnership, t.indicator) }
            return false
        } ?? false
    }
}

extension TargetSet {
    /// The baseline the target measures against, if it names one (a change target always does;
    /// a direction target may).
    var baselineID: String? {
        switch kind {
        case .change(_, let id, _): id
        case .direction(_, .baseline(let id)?): id
        default: nil
        }
    }
}
