"""On the ability and limitations of Transformers to recognize formal languages (2020): the paper folder. See CONTRIBUTING.md."""
