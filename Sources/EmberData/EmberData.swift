// EmberData: placeholder until its issue lands.
import Ember
