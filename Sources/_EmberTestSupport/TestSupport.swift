// Test support: assertClose, golden loader, gradcheck driver.
import Ember
