#!/usr/bin/env python3
"""self-critical.pytorch scripts/prepro_ngrams.py (commit 4c48a33) with the CIDEr-D scorer
code it calls (ruotianluo/cider e9b736d, ciderD_scorer.py: precook, cook_refs, CiderScorer's
cook_append and compute_doc_freq) inlined, and utils.pickle_dump (pickle protocol 2).

The dead BPE branch is left out. Used by bench/captions.py and the parity tests.
"""
import argparse
import json
import pickle
from collections import defaultdict


def precook(s, n=4, out=False):
    words = s.split()
    counts = defaultdict(int)
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            ngram = tuple(words[i : i + k])
            counts[ngram] += 1
    return counts


def cook_refs(refs, n=4):
    return [precook(ref, n) for ref in refs]


class CiderScorer(object):
    def __init__(self, test=None, refs=None, n=4, sigma=6.0, df_mode="corpus"):
        self.n = n
        self.sigma = sigma
        self.crefs = []
        self.ctest = []
        self.df_mode = df_mode
        self.document_frequency = defaultdict(float)
        self.cook_append(test, refs)
        self.ref_len = None

    def cook_append(self, test, refs):
        if refs is not None:
            self.crefs.append(cook_refs(refs))
            self.ctest.append(None)  # lens of crefs and ctest have to match

    def compute_doc_freq(self):
        for refs in self.crefs:
            # refs, k ref captions of one image
            for ngram in set([ngram for ref in refs for (ngram, count) in ref.items()]):
                self.document_frequency[ngram] += 1


def get_doc_freq(refs, params):
    tmp = CiderScorer(df_mode="corpus")
    for ref in refs:
        tmp.cook_append(None, ref)
    tmp.compute_doc_freq()
    return tmp.document_frequency, len(tmp.crefs)


def build_dict(imgs, wtoi, params):
    wtoi["<eos>"] = 0

    count_imgs = 0

    refs_words = []
    refs_idxs = []
    for img in imgs:
        if (params["split"] == img["split"]) or \
                (params["split"] == "train" and img["split"] == "restval") or \
                (params["split"] == "all"):
            ref_words = []
            ref_idxs = []
            for sent in img["sentences"]:
                tmp_tokens = sent["tokens"] + ["<eos>"]
                tmp_tokens = [_ if _ in wtoi else "UNK" for _ in tmp_tokens]
                ref_words.append(" ".join(tmp_tokens))
                ref_idxs.append(" ".join([str(wtoi[_]) for _ in tmp_tokens]))
            refs_words.append(ref_words)
            refs_idxs.append(ref_idxs)
            count_imgs += 1
    print("total imgs:", count_imgs)

    ngram_words, count_refs = get_doc_freq(refs_words, params)
    ngram_idxs, count_refs = get_doc_freq(refs_idxs, params)
    print("count_refs:", count_refs)
    return ngram_words, ngram_idxs, count_refs


def pickle_dump(obj, f):
    return pickle.dump(obj, f, protocol=2)


def main(params):
    imgs = json.load(open(params["input_json"], "r"))
    dict_json = json.load(open(params["dict_json"], "r"))
    itow = dict_json["ix_to_word"]
    wtoi = {w: i for i, w in itow.items()}

    imgs = imgs["images"]

    ngram_words, ngram_idxs, ref_len = build_dict(imgs, wtoi, params)

    pickle_dump({"document_frequency": ngram_words, "ref_len": ref_len}, open(params["output_pkl"] + "-words.p", "wb"))
    pickle_dump({"document_frequency": ngram_idxs, "ref_len": ref_len}, open(params["output_pkl"] + "-idxs.p", "wb"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--input_json", default="data/dataset_coco.json", help="input json file to process into hdf5")
    parser.add_argument("--dict_json", default="data/cocotalk.json", help="output json file")
    parser.add_argument("--output_pkl", default="data/coco-all", help="output pickle file")
    parser.add_argument("--split", default="all", help="test, val, train, all")
    params = vars(parser.parse_args())
    main(params)
