// ops.json cases of the Indexing family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenIndexingCases {
    static let all: [String: GoldenEvaluator] = [
        // torch.cat((x, y), 0), torch.cat((x, y), 1)
        "cat_dim0_dim1": { i in try [Tensor.cat([i["x"], i["y"]], dim: 0), Tensor.cat([i["x"], i["y"]], dim: 1)] },
        // torch.stack((x, y), dim=1)
        "stack": { i in try [Tensor.stack([i["x"], i["y"]], dim: 1)] },
        // x[1:, ::2], x[:, 1], x[..., -1]
        "slicing": { i in
            let x = try i["x"]
            return [x[1..., .slice(step: 2)], x[.all, 1], x[.ellipsis, -1]]
        },
        // torch.split(x, [2, 3], dim=1), torch.chunk(x, 2, dim=0)
        "split_chunk": { i in try i["x"].split([2, 3], dim: 1) + i["x"].chunk(2, dim: 0) },
        // torch.gather(b, 1, torch.tensor([[0, 1], [2, 0]]))
        "gather_dim1": { i in try [i["b"].gather(dim: 1, index: i["idx"])] },
        // torch.gather(b, 0, torch.tensor([[0, 1, 1], [0, 0, 0]]))
        "gather_dim0": { i in try [i["b"].gather(dim: 0, index: i["idx"])] },
        // y_hat.gather(1, y.view(-1, 1))
        "gather_labels": { i in try [i["y_hat"].gather(dim: 1, index: i["y"].view(-1, 1))] },
        // x.index_select(0, j)
        "index_select": { i in try [i["x"].indexSelect(dim: 0, index: i["j"])] },
        // y_hat[range(len(y_hat)), y]
        "advanced_index_pairs": { i in
            let yHat = try i["y_hat"]
            return try [yHat[Tensor.arange(yHat.shape[0]), i["y"]]]
        },
        // x.masked_fill(x < 0, 0.0), torch.where(x > 0.5, x, y)
        "masked_fill_where": { i in
            let x = try i["x"], y = try i["y"]
            return [x.maskedFill(x < 0, 0.0), Tensor.where(x > 0.5, x, y)]
        },
        // x[x > 0]
        "boolean_mask": { i in try [i["x"][i["x"] > 0]] },
        // torch.zeros(3, 5).scatter_add(1, idx, src)
        "scatter_add": { i in try [Tensor.zeros([3, 5]).scatterAdd(dim: 1, index: i["idx"], src: i["src"])] },
        // F.one_hot(y, 5)
        "one_hot": { i in try [Tensor.oneHot(i["y"], numClasses: 5)] },
    ]
}
