// Umbrella module: `import EmberKit` brings in every Ember layer, for scripts and examples.
@_exported import Ember
@_exported import EmberNN
@_exported import EmberOptim
@_exported import EmberData
@_exported import EmberText
@_exported import EmberVision
@_exported import EmberBoard
@_exported import EmberIO
@_exported import EmberTrain
