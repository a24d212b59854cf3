"""A compact BERT encoder with three heads: treatment type, care setting and country."""
from __future__ import annotations

import torch
from torch import nn
from transformers import BertConfig, BertModel, BertPreTrainedModel

SETTINGS = ("inpatient", "daycare", "outpatient")


class ClaimNet(BertPreTrainedModel):
    config_class = BertConfig

    def __init__(self, config: BertConfig):
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        self.drop = nn.Dropout(config.hidden_dropout_prob)
        h = config.hidden_size
        self.type_head = nn.Linear(h, len(config.type_labels))
        self.setting_head = nn.Linear(h, len(config.setting_labels))
        self.country_head = nn.Linear(h, len(config.country_labels))
        self.post_init()

    def forward(self, input_ids, attention_mask):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled = self.drop((out * m).sum(1) / m.sum(1).clamp(min=1.0))
        return self.type_head(pooled), self.setting_head(pooled), self.country_head(pooled)


def make_config(vocab_size: int, type_labels, country_labels) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=384, max_position_embeddings=256, type_vocab_size=1,
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        type_labels=list(type_labels), setting_labels=list(SETTINGS), country_labels=list(country_labels),
    )


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = ["ClaimNet", "make_config", "SETTINGS", "count_params", "torch"]
