//! What isolating one system takes down: every system that needs it, directly or through
//! dependencies, and the clinical services of all of them.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::*;

/// What isolating one system takes down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    /// The system proposed for isolation.
    pub system: SystemRecord,
    /// Every other system that needs it, directly or through other systems; most critical first,
    /// then by id.
    pub affected: Vec<AffectedSystem>,
    /// Clinical services supported by the isolated system or an affected one, sorted by name.
    pub services: Vec<AffectedService>,
    /// Whether isolating (and later restoring) the system needs a clinical liaison's sign-off:
    /// it, or a system that goes down with it, handles medication administration or
    /// diagnostics. Taking down the interface engine stops pharmacy orders as surely as taking
    /// down the pharmacy system, so the dependents count too.
    pub needs_clinical_signoff: bool,
    /// The systems (the isolated one first, then affected ones in `affected` order) that make a
    /// sign-off necessary.
    pub signoff_because: Vec<String>,
}

/// A system that goes down because the isolated system does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedSystem {
    pub id: String,
    pub name: String,
    pub criticality: Criticality,
    pub department: String,
    pub downtime_procedure: String,
    /// The chain of system ids from the isolated system to this one, both ends included: `via[0]`
    /// is the isolated system, the last item is this system, and each system of the chain
    /// depends on the one before it. `["lis", "blood-bank"]` reads "blood-bank needs lis, which
    /// is isolated"; `["hl7-engine", "pharmacy", "bcma"]` reads "bcma needs pharmacy, which needs
    /// the isolated hl7-engine". It is a shortest chain; among equally short chains, the one
    /// whose ids are smallest, compared position by position from the isolated system.
    pub via: Vec<String>,
    /// True when this system depends on the isolated system itself (`via` has two items).
    pub direct: bool,
    /// Medication administration or diagnostics, when it handles them.
    pub functions: Vec<ClinicalFunction>,
}

/// A clinical service touched by an isolation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedService {
    pub service: String,
    /// Ids, sorted, of the systems among the isolated one and the affected ones that support it.
    pub systems: Vec<String>,
}

/// What isolating `system_id` takes down: every system that depends on it, directly or
/// transitively (cycles are followed once), and the clinical services of all of them.
/// Validates the register first.
pub fn impact(register: &Register, system_id: &str) -> Result<Impact, RegisterError> {
    register.validate()?;
    let root =
        register.get(system_id).ok_or_else(|| RegisterError::UnknownSystem { id: system_id.to_string() })?;

    // Who needs whom: systems are sorted by id, so each list of dependents is too.
    let mut dependents: HashMap<&str, Vec<&SystemRecord>> = HashMap::new();
    for system in &register.systems {
        for dependency in &system.depends_on {
            dependents.entry(dependency.as_str()).or_default().push(system);
        }
    }

    // Breadth-first from the isolated system. Each level is expanded in the order of its chains
    // and each system's dependents in id order, so the first chain to reach a system is the
    // shortest and, among the shortest, the smallest position by position.
    let mut chains: HashMap<&str, Vec<String>> = HashMap::from([(root.id.as_str(), vec![root.id.clone()])]);
    let mut queue = VecDeque::from([root]);
    let mut reached: Vec<(&SystemRecord, Vec<String>)> = Vec::new();
    while let Some(current) = queue.pop_front() {
        let chain = chains.get(current.id.as_str()).cloned().unwrap_or_default();
        for &dependent in dependents.get(current.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
            if chains.contains_key(dependent.id.as_str()) {
                continue;
            }
            let mut via = chain.clone();
            via.push(dependent.id.clone());
            chains.insert(dependent.id.as_str(), via.clone());
            reached.push((dependent, via));
            queue.push_back(dependent);
        }
    }

    let mut services: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for system in std::iter::once(root).chain(reached.iter().map(|(s, _)| *s)) {
        for service in &system.services {
            services.entry(service.as_str()).or_default().insert(system.id.as_str());
        }
    }
    let services = services
        .into_iter()
        .map(|(service, ids)| AffectedService {
            service: service.to_string(),
            systems: ids.into_iter().map(str::to_string).collect(),
        })
        .collect();

    let mut affected: Vec<AffectedSystem> = reached
        .into_iter()
        .map(|(s, via)| AffectedSystem {
            id: s.id.clone(),
            name: s.name.clone(),
            criticality: s.criticality,
            department: s.department.clone(),
            downtime_procedure: s.downtime_procedure.clone(),
            direct: via.len() == 2,
            via,
            functions: s.functions.clone(),
        })
        .collect();
    affected.sort_by(|a, b| (a.criticality, &a.id).cmp(&(b.criticality, &b.id)));
    let signoff_because: Vec<String> = std::iter::once(root)
        .filter(|r| r.needs_clinical_signoff())
        .map(|r| r.id.clone())
        .chain(affected.iter().filter(|a| !a.functions.is_empty()).map(|a| a.id.clone()))
        .collect();

    Ok(Impact {
        system: root.clone(),
        affected,
        services,
        needs_clinical_signoff: !signoff_because.is_empty(),
        signoff_because,
    })
}
