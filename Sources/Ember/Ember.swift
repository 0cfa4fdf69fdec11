// Ember core.
import EmberKernels
