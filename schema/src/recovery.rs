//! The recovery world's shared vocabulary, used by members, groups and (later) meetings and
//! matching: what a person or group focuses on, the pathway they follow, who a group is for.

use crate::stored::stored_enum;

stored_enum! {
    /// A substance or behaviour that recovery focuses on.
    pub enum RecoveryFocus {
        /// Alcohol.
        Alcohol = "ALCOHOL",
        /// Opioids, including heroin, fentanyl and prescription opioids.
        Opioids = "OPIOIDS",
        /// Stimulants: cocaine, methamphetamine, prescription stimulants.
        Stimulants = "STIMULANTS",
        /// Cannabis.
        Cannabis = "CANNABIS",
        /// Sedatives and tranquilizers, such as benzodiazepines.
        Sedatives = "SEDATIVES",
        /// Nicotine and tobacco.
        Nicotine = "NICOTINE",
        /// Gambling.
        Gambling = "GAMBLING",
        /// More than one substance.
        Polysubstance = "POLYSUBSTANCE",
        /// Any substance or behaviour: everyone in recovery is welcome.
        Any = "ANY",
    }
}

stored_enum! {
    /// The approach to recovery a person or group follows.
    pub enum Pathway {
        /// Twelve-step fellowships (AA, NA, CA, Al-Anon, ...).
        TwelveStep = "TWELVE_STEP",
        /// SMART Recovery (self-management, CBT-based).
        Smart = "SMART",
        /// Welcomes people on medication for addiction treatment (MAT/MOUD: methadone,
        /// buprenorphine, naltrexone).
        MatFriendly = "MAT_FRIENDLY",
        /// Faith-based (Celebrate Recovery, ...).
        FaithBased = "FAITH_BASED",
        /// Secular (LifeRing, Women for Sobriety, ...).
        Secular = "SECULAR",
        /// Harm reduction.
        HarmReduction = "HARM_REDUCTION",
        /// Buddhist-inspired (Recovery Dharma, Refuge Recovery).
        Dharma = "DHARMA",
        /// Another approach.
        Other = "OTHER",
    }
}

stored_enum! {
    /// Who a group is for.
    pub enum Audience {
        /// Everyone.
        Everyone = "EVERYONE",
        /// Women.
        Women = "WOMEN",
        /// Men.
        Men = "MEN",
        /// LGBTQ+ people.
        Lgbtq = "LGBTQ",
        /// Young people.
        YoungPeople = "YOUNG_PEOPLE",
        /// Veterans.
        Veterans = "VETERANS",
        /// Families and friends of people in recovery (Al-Anon, Nar-Anon, CRAFT).
        FamiliesAndFriends = "FAMILIES_AND_FRIENDS",
        /// Professionals.
        Professionals = "PROFESSIONALS",
    }
}
