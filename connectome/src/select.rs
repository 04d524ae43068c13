//! Neuron selection by annotation or id (being written).
