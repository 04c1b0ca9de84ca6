"""The transformer classifier's Keras graph, split at the frozen/fine-tuned boundary.

`bottom` is the frozen part (embeddings and the lower encoder layers); `top` is the last
`trainable_layers` encoder layers plus the head (masked mean pooling, dropout, sigmoid).
`full` chains both for inference. All three share the backbone's layers, so training
`top` on cached `bottom` outputs trains `full`. Imports Keras: import only when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops


class MaskedMeanPooling(keras.layers.Layer):
    """Mean of the hidden states of real tokens (padding excluded)."""

    def call(self, hidden: Any, padding_mask: Any) -> Any:
        mask = ops.expand_dims(ops.cast(padding_mask, hidden.dtype), -1)
        total = ops.sum(hidden * mask, axis=1)
        return total / ops.maximum(ops.sum(mask, axis=1), 1.0)


@dataclass
class SplitNetwork:
    backbone: Any
    bottom: keras.Model
    top: keras.Model
    full: keras.Model
    head: keras.layers.Dense

    @property
    def needs_segment_ids(self) -> bool:
        return "segment_ids" in self.backbone.input

    def backbone_inputs(self, token_ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        inputs = {"token_ids": token_ids, "padding_mask": mask}
        if self.needs_segment_ids:
            inputs["segment_ids"] = np.zeros_like(token_ids)
        return inputs

    def compiled(self, model: keras.Model) -> Any:
        """`model` in inference mode as one tf.function for every batch and length."""
        import tensorflow as tf

        spec = {name: tf.TensorSpec((None, None), tf.int32) for name in self.backbone.input}

        def run(inputs: dict[str, Any]) -> Any:
            return tf.cast(model(inputs, training=False), tf.float32)

        return tf.function(run, input_signature=[spec])

    def with_dtype(self, dtype: str, trainable_layers: int, dropout: float, seed: int) -> Any:
        """The same trained network rebuilt under another dtype policy (weights copied)."""
        config = self.backbone.get_config() | {"dtype": dtype}
        backbone = type(self.backbone).from_config(config)
        backbone.set_weights(self.backbone.get_weights())
        net = build_network(backbone, trainable_layers, dropout, seed)
        net.head.set_weights(self.head.get_weights())
        return net


def build_network(backbone: Any, trainable_layers: int, dropout: float, seed: int) -> SplitNetwork:
    """Split `backbone` below its last `trainable_layers` encoder layers and add the head."""
    depth = backbone.num_layers
    if not 0 <= trainable_layers < depth:
        raise ValueError(
            f"trainable_layers: must be in [0, {depth - 1}] for this {depth}-layer "
            f"backbone, got {trainable_layers}"
        )
    boundary = backbone.get_layer(f"transformer_layer_{depth - trainable_layers - 1}").output
    bottom = keras.Model(backbone.input, boundary, name="frozen_bottom")
    bottom.trainable = False

    hidden_in = keras.Input((None, backbone.hidden_dim), name="hidden")
    mask_in = keras.Input((None,), dtype="int32", name="padding_mask")
    x = hidden_in
    for index in range(depth - trainable_layers, depth):
        x = backbone.get_layer(f"transformer_layer_{index}")(x, padding_mask=mask_in)
    # The head runs in float32 whatever the backbone's policy (stable sigmoid and loss).
    pooled = MaskedMeanPooling(name="mean_pool", dtype="float32")(x, mask_in)
    pooled = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")(pooled)
    head = keras.layers.Dense(1, activation="sigmoid", name="head", dtype="float32")
    top = keras.Model([hidden_in, mask_in], head(pooled), name="fine_tuned_top")

    output = top([boundary, backbone.input["padding_mask"]])
    full = keras.Model(backbone.input, output, name="transformer_classifier")
    return SplitNetwork(backbone, bottom, top, full, head)


class RaggedStates:
    """Frozen-layer hidden states of many texts, stored unpadded in float16."""

    def __init__(self, flat: np.ndarray, lengths: np.ndarray) -> None:
        self.flat = flat
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)

    @classmethod
    def compute(
        cls,
        net: SplitNetwork,
        ids: list[np.ndarray],
        batches: list[np.ndarray],
        on_batch: Callable[[int], None] | None = None,
    ) -> RaggedStates:
        from models.transformer.wordpiece import pad_ids

        lengths = np.array([len(seq) for seq in ids], dtype=np.int64)
        flat = np.empty((int(lengths.sum()), net.backbone.hidden_dim), dtype=np.float16)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        bottom = net.compiled(net.bottom)
        for batch in batches:
            token_ids, mask = pad_ids([ids[i] for i in batch])
            hidden = bottom(net.backbone_inputs(token_ids, mask)).numpy()
            for row, i in enumerate(batch):
                flat[offsets[i] : offsets[i] + lengths[i]] = hidden[row, : lengths[i]]
            if on_batch:
                on_batch(len(batch))
        return cls(flat, lengths)

    def gather(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Padded (hidden float32, padding_mask int32) for the texts in `batch`."""
        from models.transformer.wordpiece import padded_length

        width = padded_length(int(self.lengths[batch].max()))
        hidden = np.zeros((len(batch), width, self.flat.shape[1]), dtype=np.float32)
        mask = np.zeros((len(batch), width), dtype=np.int32)
        for row, i in enumerate(batch):
            start, length = self.offsets[i], self.lengths[i]
            hidden[row, :length] = self.flat[start : start + length]
            mask[row, :length] = 1
        return hidden, mask
