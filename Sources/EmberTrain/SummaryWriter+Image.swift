// Logging an `Image` (EmberVision) to TensorBoard (EmberBoard): the two meet here, above both layers.
import Ember
import EmberVision
import EmberBoard

extension SummaryWriter {
    /// Logs a decoded image as it is (`writer.add_image(tag, np.asarray(pil_image), dataformats="HWC")`):
    /// gray, RGB or RGBA pixels, no scaling.
    ///
    /// - Parameters:
    ///   - tag: The name the value is shown under in TensorBoard (`loss/train`).
    ///   - image: The image to record.
    ///   - step: The global step to record it at; nil records step 0, as PyTorch does.
    ///   - wallTime: Seconds since 1970 to record; nil uses the current time.
    public func addImage(_ tag: String, _ image: Image, step: Int? = nil, wallTime: Double? = nil) {
        let hwc = Tensor(image.pixels, shape: [image.height, image.width, image.channels])
        addImage(tag, image.channels == 1 ? hwc.squeeze(2) : hwc, step: step, wallTime: wallTime,
                 dataFormat: image.channels == 1 ? .hw : .hwc)
    }
}
