import Testing
@testable import LedgerModel

/// The left-out subjects of a view of one partnership: every subject put in is found, and every
/// subject equal to one as Swift compares strings; others are not, but for those with non-ASCII
/// characters (not compared: taken as maybe left out, which costs a view only a wider fold).
struct SubjectSetTests {
    @Test func everySubjectPutInIsFoundAndNoOtherIs() {
        let inside = (0..<5000).map { n in ["target:", "action:", "baseline:"][n % 3] + "borough-\(n % 32)/item-\(n)" }
        let outside = (5000..<10000).map { n in ["target:", "action:", "baseline:"][n % 3] + "borough-\(n % 32)/item-\(n)" }
            + ["", "target:", "TARGET:borough-1/item-0", "target:borough-1/item-0 "]
        var set = SubjectSet()
        #expect(set.isEmpty && !set.mayContain(inside[0]) && !set.mayContain("target:caf\u{e9}"))
        set.formUnion(SubjectSet(Array(inside[..<2500])))
        set.formUnion(SubjectSet(Array(inside[2000...]) + Array(inside[..<10]))) // overlapping, and repeated
        #expect(set.count == inside.count)
        #expect(inside.allSatisfy(set.mayContain))
        #expect(!outside.contains(where: set.mayContain))
        #expect(SubjectSet(inside.reversed()) == set)
    }

    @Test func subjectsEqualAsStringsAreFoundWhateverTheirBytes() {
        // "é" precomposed and decomposed, "K" and the Kelvin sign: one id each to Swift (and to
        // the ledger's tables), so one subject here, whichever spelling was put in.
        let pairs = [("target:caf\u{e9}", "target:cafe\u{301}"), ("action:K-1", "action:\u{212A}-1")]
        for (a, b) in pairs {
            #expect(SubjectSet([a]).mayContain(b) && SubjectSet([b]).mayContain(a) && SubjectSet([a]).mayContain(a))
        }
        // Beside them, plain subjects are still told apart.
        let set = SubjectSet(["target:caf\u{e9}", "target:plain"])
        #expect(set.mayContain("target:plain") && !set.mayContain("target:other"))
    }

    @Test func subjectsFromSortedFingerprintsOrFromAnotherSetAreTheSameSubjects() {
        // A view makes the set of the subjects it leaves out from the fingerprints a checkpoint
        // keeps sorted (and the non-ASCII ones as strings), then hands it over: the same answers
        // as the set made from strings.
        let subjects = (0..<3000).map { "target:borough-\($0 % 32)/t-\($0)" } + ["action:caf\u{e9}", "baseline:\u{212A}-1"]
        let fingerprints = subjects.compactMap { subject in Array(subject.utf8).withUnsafeBytes { SubjectSet.fingerprint(utf8: $0) } }
        #expect(fingerprints.count == 3000, "the non-ASCII subjects have none")
        let fromBytes = SubjectSet(sorted: fingerprints.sorted(), exotic: ["action:caf\u{e9}", "baseline:\u{212A}-1"])
        let fromStrings = SubjectSet(subjects)
        #expect(fromBytes == fromStrings && fromBytes.count == subjects.count)
        var handedOver = SubjectSet()
        handedOver.formUnion(fromBytes)
        handedOver.formUnion(SubjectSet(["target:extra"]))
        #expect(subjects.allSatisfy(handedOver.mayContain) && handedOver.mayContain("target:extra"))
        #expect(handedOver.mayContain("action:cafe\u{301}") && handedOver.mayContain("baseline:K-1"))
        #expect(!handedOver.mayContain("target:borough-1/t-3001") && handedOver.count == subjects.count + 1)
    }
}
