// A switch for trying a kernel change against the code it would replace, in one process (`ember bench --paired`).

import CEmberKernels

/// An on/off switch read by code under experiment, so that `ember bench --paired` can time the old and the new
/// variant run by run in the same process.
///
/// The development VMs change speed for minutes at a time, so timing two builds one after the other compares the
/// machine's moods more than the code. While trying a change, guard it with
/// `if ExperimentSwitch.isOn { new } else { old }` and run `ember bench --paired --filter ROW`: each pair of runs
/// takes both variants back to back (in alternating order) and the ratio of the pair cancels what the machine did
/// meanwhile. C kernels read the same switch as `ember_experiment_on` (CEmberKernels.h). Committed code does not read
/// the switch; it stays off outside `--paired`.
public enum ExperimentSwitch {
    /// Whether the variant under experiment runs (`ember bench --paired` flips it; off otherwise).
    public nonisolated(unsafe) static var isOn = false {
        didSet { ember_set_experiment(isOn ? 1 : 0) }
    }
}
